using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// An element-wise float32 op of Cl/activation.cl taking (input, output, one int); an 8-bit node (only kernels whose
/// Types admit int8/uint8 see one) is the definition's table lookup.
/// </summary>
internal abstract class ActivationFloat32Kernel : OpenClKernel<ElementwiseParams>
{
    /// <summary>The kernel's name in Cl/activation.cl.</summary>
    protected abstract string Kernel { get; }

    // Every one of these reaches SpecMath's fma-based Exp/Expm1/reciprocal sequences.
    public override bool NeedsFma => true;

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
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
        builder.Dispatch(Kernel, [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], 0, node.Outputs[0].ElementCount,
            file: "activation");
    }
}

/// <summary>
/// TANH on float32: SpecMath.Tanh per element (fma-based Expm1 and reciprocal); int8/uint8: the definition's table;
/// int16: the reference over every int16 value as a 65,536-entry table (lookup_q16).
/// </summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhKernel : ActivationFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];
    protected override string Kernel => "tanh_kernel";
}

/// <summary>ELU on float32: x &lt; 0 ? SpecMath.Expm1(x) : x per element (fma-based Expm1); int8: the definition's table.</summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluKernel : ActivationFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];
    // TFLite tabulates int8 ELU only (the definition's dtypes).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];
    protected override string Kernel => "elu";
}

/// <summary>
/// GELU on float32 (Cl/activation.cl): SpecMath.GeluExact (fma-based Erfc, Exp and reciprocal) or, with approximate,
/// SpecMath.GeluApproximate (fma-based Tanh) per element; int8/uint8: the definition's 256-entry table (lookup_q8).
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluKernel : OpenClKernel<GeluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gelu];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, GeluParams p, OpenClPartitionBuilder builder)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        builder.Dispatch("gelu", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], p.Approximate ? 1 : 0,
            node.Outputs[0].ElementCount, file: "activation");
    }
}

/// <summary>
/// PRELU with the definition's broadcast padded to rank 4 (the definition refuses broadcasts beyond rank 4; an alpha of
/// the input's own shape is indexed flat, any rank). float32 (Cl/activation.cl): x ≥ 0 ? x : x · alpha. int8/uint8
/// (prelu_q8 in Cl/quant.cl): TFLite's integer formula from the definition's offsets and two multipliers, integer
/// arithmetic only, so every device gives the reference's bits.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : OpenClKernel<PreluParams>
{
    private const int MaxRank = 4;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override unsafe void Build(DelegateNode node, PreluParams p, OpenClPartitionBuilder builder)
    {
        long total = node.Outputs[0].ElementCount;
        // Same shapes: one flat dimension, so ranks above 4 need no broadcast layout.
        var plan = p.AlphaMatchesInput && BroadcastPlan.TryCreate([(int)total], [(int)total], out var flat) ? flat! : p.Broadcast;
        var args = new Args();
        int pad = MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < MaxRank; d++)
        {
            bool padded = d < pad;
            args.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            args.StrideX[d] = padded ? 0 : plan.StridesA[d - pad];
            args.StrideAlpha[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        OpenClBuffer[] buffers = [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Buffer(node.Outputs[0])];
        if (p.Quantized is not { } q)
        {
            builder.Dispatch("prelu", buffers, args, total, file: "activation");
            return;
        }
        var quantized = new QuantizedArgs
        {
            Shape = args,
            InputOffset = q.InputOffset, AlphaOffset = q.AlphaOffset, OutputOffset = q.OutputOffset,
            IdentityMultiplier = q.IdentityMultiplier.Multiplier, IdentityShift = q.IdentityMultiplier.Shift,
            AlphaMultiplier = q.AlphaMultiplier.Multiplier, AlphaShift = q.AlphaMultiplier.Shift,
            IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
        };
        builder.Dispatch("prelu_q8", buffers, quantized, total, file: "quant");
    }

    /// <summary>activation.cl's PreluArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Args
    {
        public fixed int Dims[MaxRank];
        public fixed int StrideX[MaxRank];
        public fixed int StrideAlpha[MaxRank];
    }

    /// <summary>quant.cl's PreluQ8Args: activation.cl's PreluArgs, then the offsets, the two (multiplier, shift) pairs and the signedness.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedArgs
    {
        public Args Shape;
        public int InputOffset, AlphaOffset, OutputOffset;
        public int IdentityMultiplier, IdentityShift;
        public int AlphaMultiplier, AlphaShift;
        public int IsSigned;
    }
}
