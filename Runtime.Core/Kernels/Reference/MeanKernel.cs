using System.Collections.Immutable;
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
            case TensorType.Int8: IntegerMean(context.Input(0).Read<sbyte>(), context.Output(0).Write<sbyte>(), p, (int)context.Output(0).ElementCount, new Requantize<sbyte>(p)); break;
            case TensorType.Int16: IntegerMean(context.Input(0).Read<short>(), context.Output(0).Write<short>(), p, (int)context.Output(0).ElementCount, new Requantize<short>(p)); break;
            default: IntegerMean(context.Input(0).Read<byte>(), context.Output(0).Write<byte>(), p, (int)context.Output(0).ElementCount, new Requantize<byte>(p)); break;
        }
    }

    /// <summary>How an output element comes from its int64 sum: int32/int64 divide; int8/uint8 requantize.</summary>
    private interface IFinish<T>
    {
        T Finish(long sum);
    }

    /// <summary>int32, int64: the sum divided by n truncating toward zero, narrowed.</summary>
    private readonly struct Divide<T>(long count) : IFinish<T> where T : IBinaryInteger<T>
    {
        public T Finish(long sum) => T.CreateTruncating(sum / count);
    }

    /// <summary>int8, uint8, int16: TFLite's reference integer means (docs/numerics.md §MEAN).</summary>
    private readonly struct Requantize<T>(MeanParams p) : IFinish<T> where T : IBinaryInteger<T>
    {
        public T Finish(long sum) => T.CreateTruncating(p.Quantized!.Requantize(sum, p.ReducedCount));
    }

    private static void IntegerMean<T, TFinish>(ReadOnlySpan<T> input, Span<T> output, MeanParams p, int outputCount, TFinish finish)
        where T : unmanaged, IBinaryInteger<T> where TFinish : struct, IFinish<T>
    {
        var dims = p.InputDims;
        var reduced = p.Reduced;
        var outputStrides = p.OutputStrides;
        int rank = dims.Length;
        output[..outputCount].Clear();
        if (p.ReducedCount == 0 || input.IsEmpty) return;
        // One pass over the input, output by output: for each combination of the kept dimensions, the int64 sum of
        // its reduced elements (wrapping integer addition: the order does not change the sum). An earlier version
        // walked the whole input once per block of 256 outputs — quadratic, found by the fuzzer (docs/fuzzing.md).
        Span<int> inputStrides = stackalloc int[rank];
        for (int d = rank - 1, stride = 1; d >= 0; stride *= dims[d], d--) inputStrides[d] = stride;
        Span<int> kept = stackalloc int[rank];
        Span<int> inner = stackalloc int[rank];
        while (true)
        {
            int inputBase = 0, o = 0;
            for (int d = 0; d < rank; d++)
            {
                inputBase += kept[d] * inputStrides[d];
                o += kept[d] * outputStrides[d];
            }
            long sum = 0;
            inner.Clear();
            while (true)
            {
                int offset = inputBase;
                for (int d = 0; d < rank; d++) offset += inner[d] * inputStrides[d];
                sum = unchecked(sum + long.CreateTruncating(input[offset]));
                if (!Advance(inner, dims, reduced, wantReduced: true)) break;
            }
            output[o] = finish.Finish(sum);
            if (!Advance(kept, dims, reduced, wantReduced: false)) break;
        }
    }

    /// <summary>Row-major odometer step over the dimensions whose Reduced flag is <paramref name="wantReduced"/>; false when done.</summary>
    private static bool Advance(Span<int> counter, ImmutableArray<int> dims, ImmutableArray<bool> reduced, bool wantReduced)
    {
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            if (reduced[d] != wantReduced) continue;
            if (++counter[d] < dims[d]) return true;
            counter[d] = 0;
        }
        return false;
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
