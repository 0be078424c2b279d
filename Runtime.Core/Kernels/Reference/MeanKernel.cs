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
/// truncating toward zero, and narrows; n = 0 gives 0 (TFLite's "NaN" of an integer).
/// </summary>
internal sealed class MeanKernel : ReferenceKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Mean).Types;

    protected override void Invoke(KernelContext context, MeanParams p)
    {
        switch (context.Input(0).Type)
        {
            case TensorType.Float32: InvokeFloat(context, p); break;
            case TensorType.Int32: IntegerMean(context.Input(0).Read<int>(), context.Output(0).Write<int>(), p, (int)context.Output(0).ElementCount); break;
            default: IntegerMean(context.Input(0).Read<long>(), context.Output(0).Write<long>(), p, (int)context.Output(0).ElementCount); break;
        }
    }

    private static void IntegerMean<T>(ReadOnlySpan<T> input, Span<T> output, MeanParams p, int outputCount) where T : unmanaged, IBinaryInteger<T>
    {
        var dims = p.InputDims;
        var outputStrides = p.OutputStrides;
        int inputCount = 1;
        foreach (int d in dims) inputCount *= d;
        output[..outputCount].Clear();
        if (p.ReducedCount == 0) return;
        // The sums are int64 whatever the output's width, so they are kept in a stack buffer for a block of outputs
        // at a time (no allocation per invoke); each block walks the input in row-major order (the same order).
        Span<long> sums = stackalloc long[SumBlock];
        Span<int> counter = stackalloc int[dims.Length];
        for (int start = 0; start < outputCount; start += SumBlock)
        {
            int end = Math.Min(outputCount, start + SumBlock);
            sums.Clear();
            counter.Clear();
            int o = 0;
            for (int i = 0; i < inputCount; i++)
            {
                if (o >= start && o < end) sums[o - start] = unchecked(sums[o - start] + long.CreateTruncating(input[i]));
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
            for (int k = start; k < end; k++) output[k] = T.CreateTruncating(sums[k - start] / p.ReducedCount);
        }
    }

    /// <summary>Outputs whose int64 sums are kept at once (a stack buffer: no allocation per invoke).</summary>
    private const int SumBlock = 256;

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
