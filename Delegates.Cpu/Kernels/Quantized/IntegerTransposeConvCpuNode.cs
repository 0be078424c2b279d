using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// What an integer TRANSPOSE_CONV form adds to the shared gather (<see cref="IntegerTransposeConvCpuNode{TForm}"/>):
/// its element size (the input's and the output's), how its input becomes the int16 operands of <see cref="Int16Dot"/>,
/// and how an output's exact sum becomes the stored value.
/// </summary>
internal interface ITransposeConvForm
{
    /// <summary>Bytes per input (and output) element: 1 for int8/uint8, 2 for int16.</summary>
    int ElementSize { get; }

    /// <summary>Whether the input is widened to int16 operands before the dot products (8-bit); int16 is read in place.</summary>
    bool Widens { get; }

    /// <summary>The input's <paramref name="count"/> elements at <paramref name="x"/> as the dot products' int16 operands.</summary>
    unsafe void Widen(byte* x, short* operands, int count);

    /// <summary>The output of channel <paramref name="channel"/> of the pixel at <paramref name="pixel"/> from its exact sum.</summary>
    unsafe void Store(byte* pixel, int channel, long sum);
}

/// <summary>
/// int8 and uint8 (TFLite's reference_integer_ops::TransposeConv and reference_ops::TransposeConv, the reference's
/// QuantizedTransposeConv): the operands are x + input offset and w + weights offset (each within ±255); the sum taken
/// modulo 2^32 (TFLite's wrapping int32 accumulator) + bias, the channel's MultiplyByQuantizedMultiplier, + output
/// zero point, the clamp.
/// </summary>
internal readonly unsafe struct EightBitTransposeConv<T>(int[] bias, QuantizedConvParams q) : ITransposeConvForm
    where T : unmanaged
{
    public int ElementSize => 1;

    public bool Widens => true;

    [MethodImpl(JitHints.Hot)]
    public void Widen(byte* x, short* operands, int count)
    {
        int offset = q.InputOffset;
        if (typeof(T) == typeof(byte))
            for (int i = 0; i < count; i++) operands[i] = (short)(x[i] + offset);
        else
            for (int i = 0; i < count; i++) operands[i] = (short)((sbyte)x[i] + offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(byte* pixel, int channel, long sum)
    {
        int acc = unchecked((int)sum + bias[channel]);
        int value = Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[channel]) + q.OutputOffset;
        value = value < q.ActivationMin ? q.ActivationMin : value > q.ActivationMax ? q.ActivationMax : value;
        pixel[channel] = typeof(T) == typeof(byte) ? (byte)value : (byte)(sbyte)value;
    }
}

/// <summary>
/// int16x8 (the reference's Int16x8Kernels.TransposeConv, TFLite's reference_integer_ops::TransposeConv for int16): the
/// int16 input as is with the int8 weights, then + the bias (int64, or an int32 one's wrapping accumulator), the
/// channel's 64-bit rescale and the clamp (<see cref="Int16ConvParams.Requantize"/>, the reference's own code).
/// </summary>
internal readonly unsafe struct Int16TransposeConv(long[] bias, Int16ConvParams q) : ITransposeConvForm
{
    public int ElementSize => 2;

    public bool Widens => false;

    public void Widen(byte* x, short* operands, int count) => throw new InvalidOperationException("int16 input is read in place");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(byte* pixel, int channel, long sum) => ((short*)pixel)[channel] = q.Requantize(sum, bias[channel], channel);
}

/// <summary>
/// The integer TRANSPOSE_CONV of the CPU delegate (int8, uint8 and int16x8; the form's <typeparamref name="TForm"/>):
/// per output the gather of the taps that land on it, every tap's Σ x·w over the input channels in <see cref="Int16Dot"/>
/// (scalar, AVX2 or AVX-512BW <c>vpmaddwd</c>, four output channels sharing each input load; an exact integer sum, so
/// the order is free and it equals the reference's), then the form's store. The weights are widened to int16 (with the
/// weights offset) once at compile time; an 8-bit input is widened (with the input offset) once per Run into a buffer
/// sized at compile time. Threads take output rows.
/// </summary>
internal sealed unsafe class IntegerTransposeConvCpuNode<TForm> : ICpuCompiledNode
    where TForm : struct, ITransposeConvForm
{
    private static readonly CpuThreadPool.ChunkAction<IntegerTransposeConvCpuNode<TForm>> Work =
        static (in IntegerTransposeConvCpuNode<TForm> node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly TForm _form;
    private readonly short[] _weights;   // OHWI, w + weights offset, pinned
    private readonly short[] _operands;  // an 8-bit input's x + input offset, pinned; empty for int16
    private readonly TransposeConvParams _p;
    private readonly Int16DotIsa _isa;
    private readonly int _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _outputDepth;
    private short* _x;
    private byte* _y;

    /// <param name="weightsOffset">Added to every weight (−zero point: uint8's; 0 for int8 and int16x8).</param>
    public IntegerTransposeConvCpuNode(Tensor input, Tensor weights, int weightsOffset, Tensor output, TransposeConvParams p, TForm form)
    {
        (_input, _output, _p, _form) = (input, output, p, form);
        _isa = Int16Dot.Best();
        _weights = GC.AllocateArray<short>(weights.ElementCount > 0 ? (int)weights.ElementCount : 0, pinned: true);
        if (weights.Type == TensorType.UInt8)
        {
            var w = weights.Read<byte>();
            for (int i = 0; i < w.Length; i++) _weights[i] = (short)(w[i] + weightsOffset);
        }
        else
        {
            var w = weights.Read<sbyte>();
            for (int i = 0; i < w.Length; i++) _weights[i] = (short)(w[i] + weightsOffset);
        }
        (_height, _width, _depth) = (input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (weights.Dim(1), weights.Dim(2));
        (_outputHeight, _outputWidth, _outputDepth) = (output.Dim(1), output.Dim(2), output.Dim(3));
        _operands = GC.AllocateArray<short>(form.Widens ? (int)input.ElementCount : 0, pinned: true);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        byte* x = QuantizedConv.Pointer(_input.Bytes);
        if (_form.Widens)
        {
            _x = (short*)Unsafe.AsPointer(ref _operands[0]);
            _form.Widen(x, _x, _operands.Length);
        }
        else _x = (short*)x;
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_input.Dim(0) * _outputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        var p = _p;
        var isa = _isa;
        var form = _form;
        int taps = _filterHeight * _filterWidth, filterSize = taps * _depth, elementSize = form.ElementSize;
        int* inputOffsets = stackalloc int[taps];
        int* weightOffsets = stackalloc int[taps];
        long* sums = stackalloc long[4];
        fixed (short* w = _weights)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / _outputHeight, oy = row % _outputHeight;
                short* image = _x + (long)b * _height * _width * _depth;
                for (int ox = 0; ox < _outputWidth; ox++)
                {
                    // The taps that land on (oy, ox); the order is free (an exact integer sum).
                    int count = 0;
                    for (int ky = 0; ky < _filterHeight; ky++)
                    {
                        int rowNumerator = oy + p.PadTop - ky;
                        if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                        int iy = rowNumerator / p.StrideH;
                        if (iy >= _height) continue;
                        for (int kx = 0; kx < _filterWidth; kx++)
                        {
                            int colNumerator = ox + p.PadLeft - kx;
                            if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                            int ix = colNumerator / p.StrideW;
                            if (ix >= _width) continue;
                            inputOffsets[count] = (iy * _width + ix) * _depth;
                            weightOffsets[count] = (ky * _filterWidth + kx) * _depth;
                            count++;
                        }
                    }
                    byte* pixel = _y + ((long)row * _outputWidth + ox) * _outputDepth * elementSize;
                    int oc = 0;
                    for (; oc + 4 <= _outputDepth; oc += 4)
                    {
                        Int16Dot.DotTaps4(image, inputOffsets, w + (long)oc * filterSize, filterSize, weightOffsets, count, _depth, isa, sums);
                        for (int i = 0; i < 4; i++) form.Store(pixel, oc + i, sums[i]);
                    }
                    for (; oc < _outputDepth; oc++)
                        form.Store(pixel, oc, Int16Dot.DotTaps(image, inputOffsets, w + (long)oc * filterSize, weightOffsets, count, _depth, isa));
                }
            }
        }
    }
}
