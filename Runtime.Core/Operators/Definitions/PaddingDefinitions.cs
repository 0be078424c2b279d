using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// PADV2's validated paddings (before, after per dimension) and whether the pad value comes from input 2
/// (<see cref="HasValue"/>; its one element is read at Invoke, it may be computed at run time) or is zero bytes.
/// </summary>
public sealed record PadV2Params(ImmutableArray<int> Before, ImmutableArray<int> After, int ElementSize, bool HasValue) : OpParams;

/// <summary>
/// MIRROR_PAD's validated paddings and mode: REFLECT mirrors around the edge element (at most dim − 1 per side),
/// SYMMETRIC includes it (at most dim per side).
/// </summary>
public sealed record MirrorPadParams(ImmutableArray<int> Before, ImmutableArray<int> After, bool Symmetric, int ElementSize) : OpParams;

/// <summary>Shared Prepare of the padding operators: the constant [rank, 2] paddings and the padded shape.</summary>
internal static class Paddings
{
    public static (int[] Before, int[] After) Read(KernelContext context, Tensor input, Tensor paddings)
    {
        int rank = input.Rank;
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2)
            throw context.Error(
                $"paddings '{paddings.Name}' must have shape [{rank},2] for an input of rank {rank}, has {ConstantInputs.Format(paddings.Shape)}");
        int[] values = DataMovement.ConstantInts(context, paddings, "paddings");
        var before = new int[rank];
        var after = new int[rank];
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            before[d] = values[2 * d];
            after[d] = values[2 * d + 1];
            if (before[d] < 0 || after[d] < 0)
                throw context.Error($"paddings must be non-negative; dimension {d} has ({before[d]}, {after[d]})");
            shape[d] = (long)input.Dim(d) + before[d] + after[d];
        }
        context.SetOutputShape(0, DataMovement.Shape(context, shape));
        if (context.Output(0).ElementCount > int.MaxValue) throw context.Error("the padded output would have more than 2^31-1 elements");
        return (before, after);
    }
}

/// <summary>PADV2: PAD with the value of input 2 (one element of the input's dtype; zero bytes when omitted); pad.cc.</summary>
[OpCodes(BuiltinOperator.PadV2)]
internal sealed class PadV2Definition : OpDefinition<PadV2Params>
{
    public override OpId Op => BuiltinOperator.PadV2;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override PadV2Params PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "PADV2");
        var value = context.OptionalInput(2);
        if (value is not null)
        {
            context.ExpectType(value, input.Type, "constant_values");
            if (value.ElementCount != 1)
                throw context.Error($"constant_values '{value.Name}' must hold one value, has shape {ConstantInputs.Format(value.Shape)}");
        }
        var (before, after) = Paddings.Read(context, input, context.Input(1));
        return new PadV2Params([.. before], [.. after], elementSize, value is not null) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}

/// <summary>MIRROR_PAD: REFLECT or SYMMETRIC padding from constant paddings; mirror_pad.cc.</summary>
[OpCodes(BuiltinOperator.MirrorPad)]
internal sealed class MirrorPadDefinition : OpDefinition<MirrorPadParams>
{
    public override OpId Op => BuiltinOperator.MirrorPad;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override MirrorPadParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var mode = context.OptionsAs<MirrorPadOptions>().Mode;
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "MIRROR_PAD");
        var (before, after) = Paddings.Read(context, input, context.Input(1));
        bool symmetric = mode == MirrorPadMode.Symmetric;
        for (int d = 0; d < input.Rank; d++)
        {
            // TFLite clamps larger paddings into repeated edge elements; TensorFlow rejects them, as Accel does.
            int limit = symmetric ? input.Dim(d) : input.Dim(d) - 1;
            if (before[d] > limit || after[d] > limit)
                throw context.Error(
                    $"{mode.ToString().ToUpperInvariant()} paddings of dimension {d} ({before[d]}, {after[d]}) exceed {limit} (the dimension is {input.Dim(d)})");
        }
        return new MirrorPadParams([.. before], [.. after], symmetric, elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}
