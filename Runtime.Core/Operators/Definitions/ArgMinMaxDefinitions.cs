using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// ARG_MAX / ARG_MIN's validated layout: the input seen as [Outer, AxisSize, Inner] around the reduced axis, whether
/// the largest (else the smallest) element's index is taken, and the index output's dtype (int32 or int64).
/// </summary>
public sealed record ArgMinMaxParams(bool IsMax, int Outer, int AxisSize, int Inner, TensorType OutputType) : OpParams;

/// <summary>
/// ARG_MAX and ARG_MIN (TFLite's arg_min_max.cc Prepare): input 0 float32, uint8, int8 or int32 of rank ≥ 1; input 1
/// the constant axis, int32 or int64 with exactly one element (a in [−rank, rank), a + rank when negative); the
/// output's dtype is the options' output_type (int32 or int64) and its shape the input's without the axis. Accel
/// refuses an empty axis dimension (TFLite would read its first element from an empty tensor).
/// </summary>
internal abstract class ArgMinMaxDefinition : OpDefinition<ArgMinMaxParams>
{
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.UInt8, TensorType.Int8, TensorType.Int32];

    protected abstract bool IsMax { get; }

    protected abstract TensorType OutputType(KernelContext context);

    protected override ArgMinMaxParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var axisTensor = context.Input(1);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; {Op.Name} supports float32, uint8, int8, int32");
        var outputType = OutputType(context);
        if (outputType is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"output_type must be int32 or int64, is {outputType.ToDisplayName()}");
        context.ExpectType(output, outputType, "output");
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");
        if (axisTensor.ElementCount != 1)
            throw context.Error($"axis '{axisTensor.Name}' must hold exactly one value, has shape {ConstantInputs.Format(axisTensor.Shape)}");
        int axis = RunTimeParameters.ReadIntegers(context, axisTensor, "axis", allowInt64: true)[0];
        int rank = input.Rank;
        if (axis < -rank || axis >= rank)
            throw context.Error($"axis {axis} is out of range for input shape {ConstantInputs.Format(input.Shape)}");
        if (axis < 0) axis += rank;
        int axisSize = input.Dim(axis);

        var outputShape = new int[rank - 1];
        long outer = 1, inner = 1;
        for (int d = 0, j = 0; d < rank; d++)
        {
            if (d == axis) continue;
            outputShape[j++] = input.Dim(d);
            if (d < axis) outer *= input.Dim(d);
            else inner *= input.Dim(d);
        }
        if (axisSize == 0 && outer * inner != 0)
            throw context.Error($"axis {axis} of input shape {ConstantInputs.Format(input.Shape)} is empty: there is no element to take the index of");
        context.SetOutputShape(0, outputShape);
        return new ArgMinMaxParams(IsMax, checked((int)outer), axisSize, checked((int)inner), outputType)
        {
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}

[OpCodes(BuiltinOperator.ArgMax)]
internal sealed class ArgMaxDefinition : ArgMinMaxDefinition
{
    public override OpId Op => BuiltinOperator.ArgMax;
    protected override bool IsMax => true;
    protected override TensorType OutputType(KernelContext context) => context.OptionsAs<ArgMaxOptions>().OutputType;
}

[OpCodes(BuiltinOperator.ArgMin)]
internal sealed class ArgMinDefinition : ArgMinMaxDefinition
{
    public override OpId Op => BuiltinOperator.ArgMin;
    protected override bool IsMax => false;
    protected override TensorType OutputType(KernelContext context) => context.OptionsAs<ArgMinOptions>().OutputType;
}
