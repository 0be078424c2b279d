using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// RELU and RELU6 on float32 (Cl/unary.cl): the NaN-propagating clamp to [0, +inf] / [0, 6]; int8/uint8: the
/// definition's table of TFLite's QuantizedReluX (lookup_q8); int16: the reference run over every int16 value
/// (Int16RescaleActivationParams.Tabulate, lookup_q16).
/// </summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6)]
internal sealed class ClampActivationKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, OpenClDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Activation is null
            ? NodeSupport.Refuse($"{node.Code.Name}: no int16 rescale params")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
        if (p.Int16Activation is { } int16)
        {
            QuantizedKernels.Lookup16(node, int16.Tabulate(), builder);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        var args = new Args { Lo = 0f, Hi = node.Builtin == BuiltinOperator.Relu6 ? 6f : float.PositiveInfinity };
        builder.Dispatch("clamp_activation", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], args,
            node.Outputs[0].ElementCount, file: "unary");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public float Lo, Hi;
    }
}

/// <summary>An element-wise float32 op of Cl/unary.cl taking (input, output).</summary>
internal abstract class UnaryFloat32Kernel : OpenClKernel<ElementwiseParams>
{
    /// <summary>The kernel's name in Cl/unary.cl.</summary>
    protected abstract string Kernel { get; }

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
        // An 8-bit node (only kernels whose Types admit int8/uint8 see one) is the definition's table lookup; an int16
        // LOGISTIC the reference over every int16 value as a table.
        if (p.TabulateInt16(node.Builtin) is { } table16)
        {
            QuantizedKernels.Lookup16(node, table16, builder);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        builder.Dispatch(Kernel, [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], 0, node.Outputs[0].ElementCount, file: "unary");
    }
}

/// <summary>
/// LOGISTIC on float32: SpecMath.Logistic per element (fma-based Exp and reciprocal); int8/uint8: the definition's
/// table; int16: the reference over every int16 value as a 65,536-entry table (lookup_q16).
/// </summary>
[OpCodes(BuiltinOperator.Logistic)]
internal sealed class LogisticKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Logistic];
    public override bool NeedsFma => true;
    protected override string Kernel => "logistic";
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];
}

/// <summary>HARD_SWISH on float32: SpecMath.HardSwish per element (two rounded multiplies, no fma).</summary>
[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];
    protected override string Kernel => "hard_swish";
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];
}

/// <summary>
/// RESHAPE, SQUEEZE, EXPAND_DIMS on every fixed-size dtype: the output holds the input's bytes in the same order (only
/// the shape, already final here, differs), so one device-side buffer copy of the input's bytes (no kernel) serves all.
/// </summary>
[OpCodes(BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class ReshapeKernel : IOpenClKernel
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims];

    public IReadOnlyList<TensorType> Types => ByteMoves.Types;

    public NodeSupport Supports(DelegateNode node, OpenClDeviceInfo device) => NodeSupport.Supported;

    public void Build(DelegateNode node, OpenClPartitionBuilder builder) =>
        builder.Copy(builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), node.Inputs[0]!.ByteSize);
}

/// <summary>The dtypes of kernels that only move bytes: a device buffer holds any fixed-size tensor's bytes.</summary>
internal static class ByteMoves
{
    public static readonly TensorType[] Types =
    [
        TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8,
        TensorType.Int16, TensorType.Bool,
    ];
}

/// <summary>
/// PAD (Cl/pad.cl) for float32 data of rank ≤ 4 with the definition's paddings: the input at coordinate + before,
/// all-zero bits elsewhere; words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadKernel : OpenClKernel<PadParams>
{
    private const int MaxRank = 4;

    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pad];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, PadParams p, OpenClDeviceInfo device) =>
        node.Inputs[0]!.Rank > MaxRank ? NodeSupport.Refuse($"PAD: input rank {node.Inputs[0]!.Rank} is above 4") : NodeSupport.Supported;

    protected override void Build(DelegateNode node, PadParams p, OpenClPartitionBuilder builder)
    {
        if (QuantizedKernels.IsQuantized(node))
        {
            QuantizedKernels.Pad(node, p, builder);
            return;
        }
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        int lead = MaxRank - input.Rank;
        // Right-aligned in four slots; leading slots are dimensions of 1 with no padding.
        int In(int d) => d >= lead ? input.Dim(d - lead) : 1;
        int Out(int d) => d >= lead ? output.Dim(d - lead) : 1;
        int Before(int d) => d >= lead ? p.Before[d - lead] : 0;
        var args = new Args
        {
            I0 = In(0), I1 = In(1), I2 = In(2), I3 = In(3),
            O0 = Out(0), O1 = Out(1), O2 = Out(2), O3 = Out(3),
            B0 = Before(0), B1 = Before(1), B2 = Before(2), B3 = Before(3),
        };
        builder.Dispatch("pad", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int I0, I1, I2, I3;
        public int O0, O1, O2, O3;
        public int B0, B1, B2, B3;
    }
}

/// <summary>
/// EXP on float32: SpecMath.Exp per element (fma-based); int8: the definition's 256-entry table (lookup_q8); int16: the
/// reference's interpolated EXP over every int16 value as a 65,536-entry table (lookup_q16).
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];
    public override bool NeedsFma => true;
    protected override string Kernel => "exp_kernel";
}

/// <summary>
/// RSQRT on int8 (TFLite's RsqrtEvalQuantizedInt8): the definition's 256-entry table (lookup_q8); on int16 the
/// reference's 513-entry interpolated lookup over every int16 value, as a 65,536-entry table (lookup_q16). An input
/// below the zero point is the reference's error at Invoke: checked on the device first
/// (<see cref="QuantizedKernels.NonNegativeLookup"/>). float32 RSQRT is not built on OpenCL.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder) =>
        QuantizedKernels.NonNegativeLookup(node, p, builder);
}

/// <summary>
/// SQRT on int8 (TFLite's SqrtEvalQuantized): the definition's 256-entry table (lookup_q8); on int16 the reference's
/// per-element binary32 root over every int16 value, as a 65,536-entry table (lookup_q16). An input below the zero
/// point is the reference's error at Invoke: checked on the device first (<see cref="QuantizedKernels.NonNegativeLookup"/>).
/// float32 SQRT is not built on OpenCL.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder) =>
        QuantizedKernels.NonNegativeLookup(node, p, builder);
}

/// <summary>
/// LOG on int8 (TFLite's LogLUTPrepare): the definition's 256-entry table (lookup_q8); on int16 the reference's
/// 513-entry interpolated lookup (TFLite's int16 slope wrap included) over every int16 value, as a 65,536-entry table
/// (lookup_q16). No input is an error. float32 LOG is not built on OpenCL.
/// </summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
        if (p.TabulateInt16(node.Builtin) is { } table16) QuantizedKernels.Lookup16(node, table16, builder);
        else QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
    }
}

/// <summary>
/// LEAKY_RELU on float32: x &gt; 0 ? x : x · alpha, one rounded multiply (the definition's alpha); int8/uint8: the
/// definition's table (lookup_q8); int16: the reference run over every int16 value (Int16RescaleActivationParams.Tabulate,
/// lookup_q16).
/// </summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluKernel : OpenClKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, LeakyReluParams p, OpenClDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Activation is null
            ? NodeSupport.Refuse("LEAKY_RELU: no int16 rescale params")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, LeakyReluParams p, OpenClPartitionBuilder builder)
    {
        if (p.Int16Activation is { } int16)
        {
            QuantizedKernels.Lookup16(node, int16.Tabulate(), builder);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        builder.Dispatch("leaky_relu", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], p.Alpha,
            node.Outputs[0].ElementCount, file: "unary");
    }
}
