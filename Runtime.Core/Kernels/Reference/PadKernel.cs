namespace Accel.Kernels.Reference;

/// <summary>
/// PAD (docs/numerics.md §PAD). Mirrors TFLite's pad.cc: paddings from the constant int32/int64 input 1 of shape
/// [rank, 2] (before, after per dimension, each ≥ 0); the padded elements are zero (all-zero bytes: +0 for floats).
/// A pure byte move for any fixed-size dtype; a quantized tensor with a nonzero zero point (which TFLite pads with the
/// zero point) is rejected.
/// </summary>
public sealed class PadKernel : IKernel
{
    private int[] _inputDims = [];
    private int[] _outputDims = [];
    private int[] _before = [];
    private int[] _counter = [];
    private int _elementSize;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, input.Type, "output");
        _elementSize = input.Type.ElementSize();
        if (_elementSize == 0 || input.Type == TensorType.Complex128)
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which PAD does not support");
        if (input.Quantization.IsQuantized && input.Quantization.ZeroPoint.Any(z => z != 0))
            throw context.Error($"input '{input.Name}' is quantized with a nonzero zero point; only zero padding is supported");

        var paddings = context.Input(1);
        int rank = input.Rank;
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2)
            throw context.Error(
                $"paddings '{paddings.Name}' must have shape [{rank},2] for an input of rank {rank}, has {ConstantInputs.Format(paddings.Shape)}");
        int[] values = ConstantInputs.ReadIntegers(context, paddings, "paddings", allowInt64: true);

        _inputDims = input.Shape.ToArray();
        _outputDims = new int[rank];
        _before = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int before = values[2 * d], after = values[2 * d + 1];
            if (before < 0 || after < 0)
                throw context.Error($"paddings must be non-negative; dimension {d} has ({before}, {after})");
            long size = (long)_inputDims[d] + before + after;
            if (size > int.MaxValue) throw context.Error($"padded dimension {d} is too large ({size})");
            _before[d] = before;
            _outputDims[d] = (int)size;
        }
        _counter = new int[rank];
        context.SetOutputShape(0, _outputDims);
    }

    public void Invoke(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        ReadOnlySpan<byte> source = input.Bytes;
        Span<byte> destination = output.WritableBytes;
        int rank = _inputDims.Length;
        long outputBytes = output.ElementCount * _elementSize;
        destination[..(int)outputBytes].Clear();
        if (input.ElementCount == 0) return;
        if (rank == 0)
        {
            source[.._elementSize].CopyTo(destination);
            return;
        }

        // Copy the input one innermost row at a time to its place inside the padded output.
        int rowBytes = _inputDims[rank - 1] * _elementSize;
        int rows = (int)(input.ElementCount / _inputDims[rank - 1]);
        Array.Clear(_counter);
        for (int row = 0; row < rows; row++)
        {
            long outputOffset = 0;
            for (int d = 0; d < rank - 1; d++) outputOffset = outputOffset * _outputDims[d] + _counter[d] + _before[d];
            outputOffset = outputOffset * _outputDims[rank - 1] + _before[rank - 1];
            source.Slice(row * rowBytes, rowBytes).CopyTo(destination.Slice((int)(outputOffset * _elementSize), rowBytes));
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++_counter[d] < _inputDims[d]) break;
                _counter[d] = 0;
            }
        }
    }
}
