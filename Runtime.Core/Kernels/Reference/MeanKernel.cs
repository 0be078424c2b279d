using Accel.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// MEAN, float32 (docs/numerics.md §MEAN). Mirrors TFLite's reduce.cc / <c>reference_ops::Mean</c>: axes from the
/// constant int32 input 1 (negative axes count from the end, duplicates are ignored), keep_dims from ReducerOptions.
/// Each output element = (sum of its input elements, added in the input's row-major order with plain rounded adds
/// from +0) · R(n), with n the number of reduced elements and R(n) = RN(1/n) computed in Prepare. TFLite divides
/// by n instead (≤ 1 ulp apart, identical when n is a power of two).
/// </summary>
public sealed class MeanKernel : IKernel
{
    private int[] _inputDims = [];
    private int[] _outputStrides = []; // per input dimension: the output stride, 0 along reduced dimensions
    private int[] _counter = [];
    private float _reciprocal;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != TensorType.Float32)
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports float32 only");
        context.ExpectType(output, TensorType.Float32, "output");
        bool keepDims = context.Options is not null && context.OptionsAs<ReducerOptions>().KeepDims;
        var axesTensor = context.Input(1);
        if (axesTensor.Rank > 1)
            throw context.Error($"axes '{axesTensor.Name}' must be a scalar or a vector, has shape {ConstantInputs.Format(axesTensor.Shape)}");
        int[] axes = ConstantInputs.ReadIntegers(context, axesTensor, "axes");

        int rank = input.Rank;
        var reduced = new bool[rank];
        foreach (int axis in axes)
        {
            if (axis < -rank || axis >= rank)
                throw context.Error($"axis {axis} is out of range for input shape {ConstantInputs.Format(input.Shape)}");
            reduced[axis < 0 ? axis + rank : axis] = true;
        }

        var outputShape = new List<int>();
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            if (reduced[d]) count *= input.Dim(d);
            if (!reduced[d]) outputShape.Add(input.Dim(d));
            else if (keepDims) outputShape.Add(1);
        }
        if (count > SpecMath.MaxExactCount)
            throw context.Error($"reduces {count} elements per output; at most 2^24 are supported");
        // n = 0 (an empty reduced dimension) gives +0 · ∞ = NaN, as TFLite's 0/0.
        _reciprocal = count == 0 ? float.PositiveInfinity : SpecMath.ReciprocalOfCount((int)count);

        _inputDims = input.Shape.ToArray();
        _outputStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (reduced[d]) continue;
            _outputStrides[d] = stride;
            stride *= input.Dim(d);
        }
        _counter = new int[rank];
        context.SetOutputShape(0, outputShape.ToArray());
    }

    public void Invoke(KernelContext context)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        int inputCount = 1;
        foreach (int d in _inputDims) inputCount *= d;
        int outputCount = (int)context.Output(0).ElementCount;

        output[..outputCount].Fill(0f);
        Array.Clear(_counter);
        int o = 0;
        for (int i = 0; i < inputCount; i++)
        {
            output[o] += input[i];
            // Row-major odometer over the input; o follows with the output strides.
            for (int d = _inputDims.Length - 1; d >= 0; d--)
            {
                _counter[d]++;
                o += _outputStrides[d];
                if (_counter[d] < _inputDims[d]) break;
                o -= _outputStrides[d] * _inputDims[d];
                _counter[d] = 0;
            }
        }
        for (int k = 0; k < outputCount; k++) output[k] *= _reciprocal;
    }
}
