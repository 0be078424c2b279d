using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MEAN, float32 (docs/numerics.md §MEAN). Mirrors TFLite's reduce.cc / <c>reference_ops::Mean</c>: axes from the
/// constant int32 input 1 (negative axes count from the end, duplicates are ignored), keep_dims from ReducerOptions.
/// Each output element = (sum of its input elements, added in the input's row-major order with plain rounded adds
/// from +0) · R(n), with n the number of reduced elements and R(n) = RN(1/n) computed by MeanDefinition. TFLite divides
/// by n instead (≤ 1 ulp apart, identical when n is a power of two).
/// </summary>
internal sealed class MeanKernel : ReferenceKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    protected override void Invoke(KernelContext context, MeanParams p)
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
