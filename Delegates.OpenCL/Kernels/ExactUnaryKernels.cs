using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// FLOOR, CEIL, ROUND, NEG, ABS, SIGN and SQUARE (Cl/exact_unary.cl; docs/numerics.md §Exact unary operators): every
/// result exact but SQUARE's one rounded product, so any device gives the reference's bits; NEG, ABS and SIGN on
/// int32 too (wrapping: MinValue stays MinValue); ABS on int8 is the definition's 256-entry table of TFLite's
/// AbsEvalQuantized (lookup_q8), on quantized int16 the reference's rescale over every int16 value as a 65,536-entry
/// table (lookup_q16; unquantized int16 ABS is not built).
/// </summary>
[OpCodes(BuiltinOperator.Floor, BuiltinOperator.Ceil, BuiltinOperator.Round, BuiltinOperator.Neg, BuiltinOperator.Abs, BuiltinOperator.Sign, BuiltinOperator.Square)]
internal sealed class ExactUnaryKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops =>
        [BuiltinOperator.Floor, BuiltinOperator.Ceil, BuiltinOperator.Round, BuiltinOperator.Neg, BuiltinOperator.Abs, BuiltinOperator.Sign,
         BuiltinOperator.Square];

    /// <summary>
    /// int32 is claimed for NEG, ABS and SIGN only, int8 and int16 for ABS only (the definitions of the others take float32
    /// alone, or int64 which is not claimed).
    /// </summary>
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, OpenClDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int32 && Operation(node.Builtin) is not (3 or 4 or 5)
            ? NodeSupport.Refuse($"{node.Code.Name}: int32 is not supported here")
            : node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Abs is null
                ? NodeSupport.Refuse($"{node.Code.Name}: int16 without quantization is not built on OpenCL")
                : NodeSupport.Supported;

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
        string kernel = node.Inputs[0]!.Type == TensorType.Int32 ? "exact_unary_i32" : "exact_unary_f32";
        builder.Dispatch(kernel, [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], Operation(node.Builtin),
            node.Outputs[0].ElementCount, file: "exact_unary");
    }

    /// <summary>exact_unary.cl's op selector.</summary>
    private static int Operation(BuiltinOperator op) => op switch
    {
        BuiltinOperator.Floor => 0,
        BuiltinOperator.Ceil => 1,
        BuiltinOperator.Round => 2,
        BuiltinOperator.Neg => 3,
        BuiltinOperator.Abs => 4,
        BuiltinOperator.Sign => 5,
        BuiltinOperator.Square => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an exact unary operator"),
    };
}

/// <summary>
/// RELU_N1_TO_1 and RELU_0_TO_1 on float32: Cl/unary.cl's NaN-propagating clamp (as RELU) to [−1, 1] / [0, 1];
/// int8/uint8: the definition's table of TFLite's QuantizedReluX (lookup_q8).
/// </summary>
[OpCodes(BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1)]
internal sealed class UnitClampKernel : OpenClKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        var args = new Args { Lo = node.Builtin == BuiltinOperator.ReluN1To1 ? -1f : 0f, Hi = 1f };
        builder.Dispatch("clamp_activation", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], args,
            node.Outputs[0].ElementCount, file: "unary");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public float Lo, Hi;
    }
}
