using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RANGE (docs/numerics.md §RANGE): out[0] = start, out[i] = out[i−1] + delta (one rounded add per element for
/// float32, as TFLite accumulates; wrapping for integers, though no written element can overflow). When an input is
/// computed at run time the output is dynamic and its length is computed and checked here, by the definition's rules.
/// </summary>
[OpCodes(BuiltinOperator.Range)]
internal sealed class RangeKernel : ReferenceKernel<RangeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Range];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Range).Types;

    protected override void Invoke(KernelContext context, RangeParams p)
    {
        if (p.ShapeAtInvoke) context.ResizeOutput(0, [RangeDefinition.Length(context)]);
        var output = context.Output(0);
        switch (p.Type)
        {
            case TensorType.Float32:
            {
                float value = context.Input(0).Read<float>()[0], delta = context.Input(2).Read<float>()[0];
                var y = output.Write<float>();
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = value;
                    value += delta;
                }
                break;
            }
            case TensorType.Int32:
            {
                int value = context.Input(0).Read<int>()[0], delta = context.Input(2).Read<int>()[0];
                var y = output.Write<int>();
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = value;
                    value = unchecked(value + delta);
                }
                break;
            }
            default:
            {
                long value = context.Input(0).Read<long>()[0], delta = context.Input(2).Read<long>()[0];
                var y = output.Write<long>();
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = value;
                    value = unchecked(value + delta);
                }
                break;
            }
        }
    }
}
