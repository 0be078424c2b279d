using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// PAD (docs/numerics.md §PAD). Mirrors TFLite's pad.cc: paddings from the constant int32/int64 input 1 of shape
/// [rank, 2] (before, after per dimension, each ≥ 0); the padded elements are zero (all-zero bytes: +0 for floats), or
/// for a quantized int8/uint8 tensor its zero point (<see cref="PadParams.PadByte"/>), as TFLite pads. A pure byte move
/// for any fixed-size dtype; another quantized dtype with a nonzero zero point is rejected.
/// </summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadKernel : ReferenceKernel<PadParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pad];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Pad).Types;

    protected override void Invoke(KernelContext context, PadParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        int _elementSize = p.ElementSize;
        var _before = p.Before;
        ReadOnlySpan<int> _inputDims = input.Shape;
        ReadOnlySpan<int> _outputDims = output.Shape;
        Span<int> _counter = stackalloc int[_inputDims.Length];
        ReadOnlySpan<byte> source = input.Bytes;
        Span<byte> destination = output.WritableBytes;
        int rank = _inputDims.Length;
        long outputBytes = output.ElementCount * _elementSize;
        destination[..(int)outputBytes].Fill(p.PadByte);
        if (input.ElementCount == 0) return;
        if (rank == 0)
        {
            source[.._elementSize].CopyTo(destination);
            return;
        }

        // Copy the input one innermost row at a time to its place inside the padded output.
        int rowBytes = _inputDims[rank - 1] * _elementSize;
        int rows = (int)(input.ElementCount / _inputDims[rank - 1]);
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
