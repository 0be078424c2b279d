using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// FILL (docs/numerics.md §FILL): every element a copy of the scalar value's bytes. When the dims tensor is computed at
/// run time the output is dynamic and its shape is read and checked here, by the definition's rules.
/// </summary>
[OpCodes(BuiltinOperator.Fill)]
internal sealed class FillKernel : ReferenceKernel<FillParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Fill];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Fill).Types;

    protected override void Invoke(KernelContext context, FillParams p)
    {
        if (p.ShapeAtInvoke)
        {
            var dims = context.Input(0);
            Span<int> shape = stackalloc int[dims.Dim(0)];
            DynamicShapes.ReadDims(context, dims, "dims", shape);
            context.ResizeOutput(0, shape);
        }
        var input = context.Input(1);
        var output = context.Output(0).WritableBytes;
        if (input.Type == TensorType.Bool)
        {
            // Any nonzero byte is true; the output holds canonical 0/1 like every bool Accel writes.
            output.Fill(input.Bytes[0] != 0 ? (byte)1 : (byte)0);
            return;
        }
        var value = input.Bytes[..p.ElementSize];
        for (int offset = 0; offset < output.Length; offset += p.ElementSize) value.CopyTo(output[offset..]);
    }
}
