using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>DENSIFY (docs/numerics.md §Densify): zero-fills the dense output and scatters the stored values (see <see cref="DensifyDefinition"/>).</summary>
[OpCodes(BuiltinOperator.Densify)]
internal sealed class DensifyKernel : ReferenceKernel<DensifyParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Densify];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Densify).Types;

    protected override void Invoke(KernelContext context, DensifyParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (input.Type)
        {
            case TensorType.Float32:
                Scatter(context, p.Destinations, input.Read<float>(), output.Write<float>());
                break;
            case TensorType.Float16:
                Scatter(context, p.Destinations, input.Read<ushort>(), output.Write<ushort>());
                break;
            case TensorType.Int8:
                Scatter(context, p.Destinations, input.Read<sbyte>(), output.Write<sbyte>());
                break;
            default:
                throw context.Error($"input dtype {input.Type.ToDisplayName()} changed after Prepare");
        }
    }

    private static void Scatter<T>(KernelContext context, int[] destinations, ReadOnlySpan<T> stored, Span<T> dense) where T : unmanaged
    {
        if (stored.Length != destinations.Length)
            throw context.Error($"sparse input holds {stored.Length} values; its metadata describes {destinations.Length}");
        dense.Clear(); // all-zero bits: +0 for float32 and float16, 0 for int8
        for (int i = 0; i < destinations.Length; i++)
            dense[destinations[i]] = stored[i];
    }

}
