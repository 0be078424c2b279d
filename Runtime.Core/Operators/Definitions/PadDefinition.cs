using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>PAD's validated paddings: elements before and after along every dimension (constant paddings input).</summary>
public sealed record PadParams(ImmutableArray<int> Before, ImmutableArray<int> After, int ElementSize) : OpParams
{
    /// <summary>
    /// The byte every padded element is filled with: 0, or for a quantized int8/uint8 tensor its zero point's byte (TFLite
    /// pads with the output's zero point, the real value 0).
    /// </summary>
    public byte PadByte { get; init; }
}

/// <summary>PAD with zeros, any dtype with a fixed element size (quantized with zero point 0); TFLite's pad.cc Prepare.</summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadDefinition : OpDefinition<PadParams>
{
    public override OpId Op => BuiltinOperator.Pad;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16, TensorType.Bool];

    protected override PadParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, input.Type, "output");
        int elementSize = input.Type.ElementSize();
        if (elementSize == 0 || input.Type == TensorType.Complex128)
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which PAD does not support");
        byte padByte = 0;
        if (QuantizedParams.IsQuantizedType(input.Type) && (input.Quantization.IsQuantized || output.Quantization.IsQuantized))
        {
            // pad.cc: the padding is the output's zero point; the values are copied, so both must share parameters.
            var inQ = QuantizedParams.PerTensor(context, input, "input");
            var outQ = QuantizedParams.PerTensor(context, output, "output");
            if (inQ != outQ)
                throw context.Error($"input '{input.Name}' (scale {inQ.Scale}, zero point {inQ.ZeroPoint}) and output '{output.Name}' " +
                                    $"(scale {outQ.Scale}, zero point {outQ.ZeroPoint}) must share their quantization");
            padByte = (byte)outQ.ZeroPoint;
        }
        else if (input.Quantization.IsQuantized && input.Quantization.ZeroPoint.Any(z => z != 0))
            throw context.Error($"input '{input.Name}' is quantized with a nonzero zero point; only zero padding is supported");

        var paddings = context.Input(1);
        int rank = input.Rank;
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2)
            throw context.Error(
                $"paddings '{paddings.Name}' must have shape [{rank},2] for an input of rank {rank}, has {ConstantInputs.Format(paddings.Shape)}");
        int[] values = RunTimeParameters.ReadIntegers(context, paddings, "paddings", allowInt64: true);

        var outputDims = new int[rank];
        var before = new int[rank];
        var after = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            before[d] = values[2 * d];
            after[d] = values[2 * d + 1];
            if (before[d] < 0 || after[d] < 0)
                throw context.Error($"paddings must be non-negative; dimension {d} has ({before[d]}, {after[d]})");
            long size = (long)input.Dim(d) + before[d] + after[d];
            if (size > int.MaxValue) throw context.Error($"padded dimension {d} is too large ({size})");
            outputDims[d] = (int)size;
        }
        context.SetOutputShape(0, outputDims);
        return new PadParams([.. before], [.. after], elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)), PadByte = padByte };
    }
}
