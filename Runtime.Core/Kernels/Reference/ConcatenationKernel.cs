namespace Accel.Kernels.Reference;

/// <summary>
/// CONCATENATION (docs/numerics.md §CONCATENATION). Mirrors TFLite's concatenation.cc: all inputs have the output's
/// dtype and rank and equal dimensions except along the axis (negative counts from the end); the output's axis is
/// the sum. A byte move for any fixed-size dtype (quantized inputs must share the output's scale and zero point).
/// For float32 the fused activation clamp is applied to every element (TFLite only accepts NONE).
/// </summary>
public sealed class ConcatenationKernel : IKernel
{
    private int _outer;              // product of the dimensions before the axis
    private int[] _chunkElements = []; // per input: axis size × product of the dimensions after the axis
    private int _elementSize;
    private bool _clamp;
    private ActivationRange _activation;

    public void Prepare(KernelContext context)
    {
        if (context.InputCount < 1) throw context.Error("expects at least one input");
        context.ExpectArity(1, int.MaxValue, 1);
        var options = context.OptionsAs<ConcatenationOptions>();
        var first = context.Input(0);
        var output = context.Output(0);
        int rank = first.Rank;
        int axis = options.Axis < 0 ? options.Axis + rank : options.Axis;
        if (rank == 0 || axis < 0 || axis >= rank)
            throw context.Error($"axis {options.Axis} is out of range for inputs of shape {ConstantInputs.Format(first.Shape)}");
        _elementSize = first.Type.ElementSize();
        if (_elementSize == 0)
            throw context.Error($"input '{first.Name}' has dtype {first.Type.ToDisplayName()}, which CONCATENATION does not support");
        context.ExpectType(output, first.Type, "output");

        var outputShape = first.Shape.ToArray();
        outputShape[axis] = 0;
        _chunkElements = new int[context.InputCount];
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= first.Dim(d);
        _outer = 1;
        for (int d = 0; d < axis; d++) _outer *= first.Dim(d);
        for (int i = 0; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            context.ExpectType(input, first.Type, $"input {i}");
            if (input.Rank != rank)
                throw context.Error($"input {i} '{input.Name}' has rank {input.Rank}; input 0 has rank {rank}");
            for (int d = 0; d < rank; d++)
                if (d != axis && input.Dim(d) != first.Dim(d))
                    throw context.Error(
                        $"input {i} '{input.Name}' has shape {ConstantInputs.Format(input.Shape)}; all inputs must match " +
                        $"{ConstantInputs.Format(first.Shape)} except along axis {axis}");
            if ((input.Quantization.IsQuantized || output.Quantization.IsQuantized) &&
                !(input.Quantization.Scale.AsSpan().SequenceEqual(output.Quantization.Scale) &&
                  input.Quantization.ZeroPoint.AsSpan().SequenceEqual(output.Quantization.ZeroPoint)))
                throw context.Error($"input {i} '{input.Name}' is quantized differently from the output; requantization is not supported");
            outputShape[axis] += input.Dim(axis);
            _chunkElements[i] = input.Dim(axis) * inner;
        }

        if (first.Type == TensorType.Float32)
        {
            _activation = ActivationRange.For(options.FusedActivation, context);
            _clamp = options.FusedActivation != ActivationFunctionType.None;
        }
        else if (options.FusedActivation != ActivationFunctionType.None)
            throw context.Error($"fused activation {options.FusedActivation} needs float32 inputs, not {first.Type.ToDisplayName()}");
        context.SetOutputShape(0, outputShape);
    }

    public void Invoke(KernelContext context)
    {
        var output = context.Output(0);
        Span<byte> destination = output.WritableBytes;
        int offset = 0;
        for (int o = 0; o < _outer; o++)
        for (int i = 0; i < _chunkElements.Length; i++)
        {
            int bytes = _chunkElements[i] * _elementSize;
            context.Input(i).Bytes.Slice(o * bytes, bytes).CopyTo(destination.Slice(offset, bytes));
            offset += bytes;
        }
        if (!_clamp) return;
        Span<float> values = output.Write<float>()[..(int)output.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = _activation.Apply(values[i]);
    }
}
