using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MEAN, float32, int32 and int64 (docs/numerics.md §MEAN). Mirrors TFLite's reduce.cc / <c>reference_ops::Mean</c>: axes from the
/// constant int32 input 1 (negative axes count from the end, duplicates are ignored), keep_dims from ReducerOptions.
/// Each output element = (sum of its input elements, added in the input's row-major order with plain rounded adds
/// from +0) · R(n), with n the number of reduced elements and R(n) = RN(1/n) computed by MeanDefinition. TFLite divides
/// by n instead (≤ 1 ulp apart, identical when n is a power of two). int32 and int64 (TFLite's
/// <c>reference_ops::Mean</c> with an int64 sum): each output sums its elements in int64 (wrapping), divides by n
/// truncating toward zero, and narrows; n = 0 gives 0 (TFLite's "NaN" of an integer). int8 and uint8 (TFLite's
/// reference_ops::QuantizedMeanOrSum): the same exact sum, less zp_in·n, rescaled by s_in/s_out with 1/n folded into the
/// multiplier (<see cref="QuantizedMeanParams"/>), + zp_out, clamped; an empty input gives 0. int16 (int16x8): the same
/// exact sum, finished by the one of TFLite's three integer mean kernels its shape and scales select (<see cref="QuantizedMeanForm"/>).
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanKernel : ReferenceKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Mean).Types;

    protected override void Invoke(KernelContext context, MeanParams p)
    {
        switch (context.Input(0).Type)
        {
            case TensorType.Float32: InvokeFloat(context, p); break;
            case TensorType.Int32: IntegerMean(context.Input(0).Read<int>(), context.Output(0).Write<int>(), p, (int)context.Output(0).ElementCount, new Divide<int>(p.ReducedCount)); break;
            case TensorType.Int64: IntegerMean(context.Input(0).Read<long>(), context.Output(0).Write<long>(), p, (int)context.Output(0).ElementCount, new Divide<long>(p.ReducedCount)); break;
            case TensorType.Int8: IntegerMean(context.Input(0).Read<sbyte>(), context.Output(0).Write<sbyte>(), p, (int)context.Output(0).ElementCount, new RequantizeSum<sbyte>(p.Quantized!, p.ReducedCount)); break;
            case TensorType.Int16: IntegerMean(context.Input(0).Read<short>(), context.Output(0).Write<short>(), p, (int)context.Output(0).ElementCount, new RequantizeSum<short>(p.Quantized!, p.ReducedCount)); break;
            default: IntegerMean(context.Input(0).Read<byte>(), context.Output(0).Write<byte>(), p, (int)context.Output(0).ElementCount, new RequantizeSum<byte>(p.Quantized!, p.ReducedCount)); break;
        }
    }

    /// <summary>int32, int64: the sum divided by n truncating toward zero, narrowed.</summary>
    private readonly struct Divide<T>(long count) : ISumFinish<T> where T : IBinaryInteger<T>
    {
        public T Finish(long sum) => T.CreateTruncating(sum / count);
    }

    /// <summary>Each output from the int64 sum of its elements (IntegerReduction's walk, shared with SUM); an empty input gives 0.</summary>
    private static void IntegerMean<T, TFinish>(ReadOnlySpan<T> input, Span<T> output, MeanParams p, int outputCount, TFinish finish)
        where T : unmanaged, IBinaryInteger<T> where TFinish : struct, ISumFinish<T>
    {
        output[..outputCount].Clear();
        if (p.ReducedCount == 0 || input.IsEmpty) return;
        IntegerReduction.Walk(input, output, p.InputDims, p.Reduced, p.OutputStrides, new SumFold<T, TFinish>(finish));
    }

    private static void InvokeFloat(KernelContext context, MeanParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        var dims = p.InputDims;
        var outputStrides = p.OutputStrides;
        int inputCount = 1;
        foreach (int d in dims) inputCount *= d;
        int outputCount = (int)context.Output(0).ElementCount;

        output[..outputCount].Fill(0f);
        Span<int> counter = stackalloc int[dims.Length];
        int o = 0;
        for (int i = 0; i < inputCount; i++)
        {
            output[o] += input[i];
            // Row-major odometer over the input; o follows with the output strides.
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                counter[d]++;
                o += outputStrides[d];
                if (counter[d] < dims[d]) break;
                o -= outputStrides[d] * dims[d];
                counter[d] = 0;
            }
        }
        for (int k = 0; k < outputCount; k++) output[k] *= p.Reciprocal;
    }
}
