using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// <see cref="HybridImageQuantizer"/>'s asymmetric and symmetric image quantization spread over the pool for one hybrid
/// node's images of a fixed size: the minimum and maximum per block of <see cref="Block"/> values in parallel, reduced on
/// the calling thread (order does not matter: the extremes are the same values, up to the sign of a zero, which the
/// parameters do not see), the parameters by the reference's code, then the blocks quantized in parallel with the same
/// per-lane steps — so the bytes, the factor and the zero point are <see cref="HybridImageQuantizer"/>'s (and the
/// reference's). Images under <see cref="MinValues"/>, a pool of one thread, or anything the vector path leaves to the
/// reference (a NaN or an infinity, a subnormal range) take <see cref="HybridImageQuantizer"/> on the calling thread.
/// The quantization was each hybrid node's serial part (stop 56: a fifth of pose_landmark_heavy's dynamic-range model at 2 threads).
/// </summary>
internal sealed unsafe class PooledImageQuantizer
{
    /// <summary>Values per block (a multiple of the vector path's 32-value step).</summary>
    public const int Block = 16 * 1024;

    /// <summary>The fewest values spread over the pool (two blocks).</summary>
    public const int MinValues = 2 * Block;

    private static readonly CpuThreadPool.ChunkAction<PooledImageQuantizer> MinMaxChunk =
        static (in PooledImageQuantizer q, int start, int end) => q.MinMaxBlocks(start, end);

    private static readonly CpuThreadPool.ChunkAction<PooledImageQuantizer> QuantizeChunk =
        static (in PooledImageQuantizer q, int start, int end) => q.QuantizeBlocks(start, end);

    private readonly int _count, _blocks;
    private readonly float[] _mins, _maxs;
    private readonly bool[] _finite;
    private float* _values;
    private sbyte* _quantized;
    private Vector256<float> _zero, _scale, _lowest;

    public PooledImageQuantizer(int count)
    {
        _count = count;
        _blocks = Math.Max(1, count / Block); // the last block takes the remainder
        (_mins, _maxs, _finite) = (new float[_blocks], new float[_blocks], new bool[_blocks]);
    }

    /// <summary><see cref="HybridImageQuantizer.AsymmetricQuantize"/> of one image of this quantizer's size.</summary>
    [MethodImpl(JitHints.Hot)]
    public float AsymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset, CpuThreadPool pool)
    {
        if (Pooled(values, quantized, pool, out float min, out float max)
            && Apply(HybridImageQuantizer.AsymmetricPlan(min, max), values, quantized, pool, out offset, out float factor))
            return factor;
        return HybridImageQuantizer.AsymmetricQuantize(values, quantized, out offset);
    }

    /// <summary><see cref="HybridImageQuantizer.SymmetricQuantize"/> of one image of this quantizer's size.</summary>
    [MethodImpl(JitHints.Hot)]
    public float SymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, CpuThreadPool pool)
    {
        if (Pooled(values, quantized, pool, out float min, out float max)
            && Apply(HybridImageQuantizer.SymmetricPlan(min, max), values, quantized, pool, out _, out float factor))
            return factor;
        return HybridImageQuantizer.SymmetricQuantize(values, quantized);
    }

    /// <summary>Whether this image goes over the pool, with its extremes: false for the calling thread's quantizer.</summary>
    private bool Pooled(ReadOnlySpan<float> values, Span<sbyte> quantized, CpuThreadPool pool, out float min, out float max)
    {
        (min, max) = (0f, 0f);
        return pool.ThreadCount > 1 && _count >= MinValues && Vector256.IsHardwareAccelerated && MinMax(values, quantized, pool, out min, out max);
    }

    /// <summary>Quantizes by <paramref name="plan"/> over the pool; false, having written nothing, where it leaves the image to the reference.</summary>
    private bool Apply(in HybridImageQuantizer.Plan plan, ReadOnlySpan<float> values, Span<sbyte> quantized, CpuThreadPool pool, out int offset, out float factor)
    {
        (offset, factor) = (plan.Offset, plan.Factor);
        if (plan.Reference) return false;
        if (plan.Zero) quantized[..values.Length].Clear();
        else Quantize(values, quantized, pool, plan.ZeroPoint, plan.Inverse, plan.Lowest);
        return true;
    }

    /// <summary>The extremes over the pool; false where a value is NaN or infinite (nothing written).</summary>
    [MethodImpl(JitHints.Hot)]
    private bool MinMax(ReadOnlySpan<float> values, Span<sbyte> quantized, CpuThreadPool pool, out float min, out float max)
    {
        if (values.Length != _count || quantized.Length < _count) throw new ArgumentException($"an image of {values.Length} values, not {_count}");
        fixed (float* v = values)
        {
            _values = v;
            pool.For(_blocks, this, MinMaxChunk);
            _values = null;
        }
        (min, max) = (_mins[0], _maxs[0]);
        bool finite = _finite[0];
        for (int b = 1; b < _blocks; b++)
        {
            min = Math.Min(min, _mins[b]);
            max = Math.Max(max, _maxs[b]);
            finite &= _finite[b];
        }
        return finite;
    }

    private void Quantize(ReadOnlySpan<float> values, Span<sbyte> quantized, CpuThreadPool pool, Vector256<float> zero, Vector256<float> scale,
        Vector256<float> lowest)
    {
        (_zero, _scale, _lowest) = (zero, scale, lowest);
        fixed (float* v = values)
        fixed (sbyte* q = quantized)
        {
            _values = v;
            _quantized = q;
            pool.For(_blocks, this, QuantizeChunk);
            _values = null;
            _quantized = null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Start, int Length) Range(int block) =>
        (block * Block, block == _blocks - 1 ? _count - block * Block : Block);

    [MethodImpl(JitHints.Hot)]
    private void MinMaxBlocks(int start, int end)
    {
        for (int b = start; b < end; b++)
        {
            var (first, length) = Range(b);
            _finite[b] = HybridImageQuantizer.MinMax(new ReadOnlySpan<float>(_values + first, length), out _mins[b], out _maxs[b]);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void QuantizeBlocks(int start, int end)
    {
        for (int b = start; b < end; b++)
        {
            var (first, length) = Range(b);
            HybridImageQuantizer.QuantizeAll(new ReadOnlySpan<float>(_values + first, length), new Span<sbyte>(_quantized + first, length), _zero, _scale, _lowest);
        }
    }
}
