using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// ARG_MAX and ARG_MIN, float32 input, int32 or int64 output (docs/numerics.md §ARG_MAX, ARG_MIN). Per output, as the
/// reference: best = the first element along the axis, index 0; a later element replaces it only when strictly
/// greater (less) by an ordered compare, so ties keep the first index and NaN never replaces. When the axis is not
/// innermost, neighbouring outputs are contiguous in the input and run side by side in vector lanes (the index
/// tracked per lane as an exact float, hence axes of at most 2^24 elements); an innermost axis runs one output at a time.
/// int32, int8 and uint8 inputs: the same scan with integer compares (<see cref="IntegerArgNode{T}"/>), int32 eight
/// neighbouring outputs per 256-bit vector with int32 indices, the 8-bit dtypes one output at a time.
/// </summary>
[OpCodes(BuiltinOperator.ArgMax, BuiltinOperator.ArgMin)]
internal sealed class ArgMinMaxCpuKernel : CpuKernel<ArgMinMaxParams>
{
    /// <summary>Indices up to this are exact in a float lane.</summary>
    private const int MaxAxis = 1 << 24;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ArgMax, BuiltinOperator.ArgMin];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, ArgMinMaxParams p) =>
        node.Inputs[0]!.Type == TensorType.Float32 && p.AxisSize > MaxAxis
            ? NodeSupport.Refuse($"an axis of {p.AxisSize} elements; indices above 2^24 are not tracked")
            : NodeSupport.Supported;

    protected override ICpuCompiledNode Compile(DelegateNode node, ArgMinMaxParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Int32 => new IntegerArgNode<int>(node.Inputs[0]!, node.Outputs[0], p),
        TensorType.Int8 => new IntegerArgNode<sbyte>(node.Inputs[0]!, node.Outputs[0], p),
        TensorType.UInt8 => new IntegerArgNode<byte>(node.Inputs[0]!, node.Outputs[0], p),
        _ => new ArgNode(node.Inputs[0]!, node.Outputs[0], p),
    };

    /// <summary>
    /// An integer input's scan: per output best = the first element along the axis, replaced only by a strictly greater
    /// (less) one, so ties keep the first index — the reference's order. Threads take blocks of outputs.
    /// </summary>
    private sealed unsafe class IntegerArgNode<T>(Tensor input, Tensor output, ArgMinMaxParams p) : ICpuCompiledNode
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        private const int BlockLength = 64;

        private static readonly CpuThreadPool.ChunkAction<IntegerArgNode<T>> Work =
            [MethodImpl(JitHints.Hot)] static (in IntegerArgNode<T> node, int start, int end) => node.Units(start, end);

        private readonly int _blocksPerOuter = (p.Inner + BlockLength - 1) / BlockLength;
        private T* _x;
        private byte* _y;

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            int units = p.Outer * _blocksPerOuter;
            if (units == 0 || p.AxisSize == 0) return;
            _x = (T*)RawTensorData.Read(input);
            _y = (byte*)RawTensorData.Write(output);
            long perUnit = Math.Max(1L, (long)p.AxisSize * Math.Min(p.Inner, BlockLength));
            Chunked.For(pool, units, (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue), this, Work);
        }

        [MethodImpl(JitHints.Hot)]
        private void Units(int start, int end)
        {
            for (int unit = start; unit < end; unit++)
            {
                int outer = unit / _blocksPerOuter;
                int from = unit % _blocksPerOuter * BlockLength;
                int to = Math.Min(from + BlockLength, p.Inner);
                T* source = _x + (long)outer * p.AxisSize * p.Inner;
                long first = (long)outer * p.Inner;
                int c = from;
                if (typeof(T) == typeof(int) && Vector256.IsHardwareAccelerated)
                    for (; c + Vector256<int>.Count <= to; c += Vector256<int>.Count) Int32Lanes((int*)source + c, first + c);
                for (; c < to; c++) Scalar(source + c, first + c);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Scalar(T* source, long output)
        {
            T best = source[0];
            int index = 0;
            for (int k = 1; k < p.AxisSize; k++)
            {
                T value = source[(long)k * p.Inner];
                if (p.IsMax ? value > best : value < best) (best, index) = (value, k);
            }
            if (p.OutputType == TensorType.Int32) ((int*)_y)[output] = index;
            else ((long*)_y)[output] = index;
        }

        /// <summary>Eight neighbouring outputs of an int32 input, one lane each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Int32Lanes(int* source, long output)
        {
            var best = Vector256.Load(source);
            var index = Vector256<int>.Zero;
            for (int k = 1; k < p.AxisSize; k++)
            {
                var value = Vector256.Load(source + (long)k * p.Inner);
                var better = p.IsMax ? Vector256.GreaterThan(value, best) : Vector256.LessThan(value, best);
                best = Vector256.ConditionalSelect(better, value, best);
                index = Vector256.ConditionalSelect(better, Vector256.Create(k), index);
            }
            if (p.OutputType == TensorType.Int32) index.Store((int*)_y + output);
            else
            {
                Vector256.WidenLower(index).Store((long*)_y + output);
                Vector256.WidenUpper(index).Store((long*)_y + output + 4);
            }
        }
    }

    private sealed unsafe class ArgNode : ICpuCompiledNode
    {
        /// <summary>Inner lanes handled per work unit, so one long inner run can still be shared between threads.</summary>
        private const int BlockLength = 64;

        private readonly Tensor _input, _output;
        private readonly ArgMinMaxParams _p;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _blocksPerOuter;
        private readonly int _units;
        private readonly int _minUnits;

        public ArgNode(Tensor input, Tensor output, ArgMinMaxParams p)
        {
            _input = input;
            _output = output;
            _p = p;
            _blocksPerOuter = (p.Inner + BlockLength - 1) / BlockLength;
            _units = p.Outer * _blocksPerOuter;
            long perUnit = Math.Max(1L, (long)p.AxisSize * Math.Min(p.Inner, BlockLength));
            _minUnits = (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue);
        }

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            switch (s.Width)
            {
                case SimdWidth.W512: Units<Simd512, Vector512<float>>(s, start, end); break;
                case SimdWidth.W256: Units<Simd256, Vector256<float>>(s, start, end); break;
                case SimdWidth.W128: Units<Simd128, Vector128<float>>(s, start, end); break;
                default: Units<Scalar, float>(s, start, end); break;
            }
        };

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            if (_units == 0 || _p.AxisSize == 0) return;
            var state = new State(TensorData.Read(_input), Bytes(_output), _p, _width, _blocksPerOuter);
            Chunked.For(pool, _units, _minUnits, state, Work);
        }

        /// <summary>The index output's bytes (int32 or int64: not a float tensor, so not through TensorData).</summary>
        private static byte* Bytes(Tensor output) =>
            (byte*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output.WritableBytes));

        private readonly struct State(float* input, byte* output, ArgMinMaxParams p, SimdWidth width, int blocksPerOuter)
        {
            public float* Input => input;
            public byte* Output => output;
            public ArgMinMaxParams P => p;
            public SimdWidth Width => width;
            public int BlocksPerOuter => blocksPerOuter;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Units<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.P;
            float* lanes = stackalloc float[TS.Count];
            for (int unit = start; unit < end; unit++)
            {
                int outer = unit / s.BlocksPerOuter;
                int from = unit % s.BlocksPerOuter * BlockLength;
                int to = Math.Min(from + BlockLength, p.Inner);
                float* source = s.Input + (long)outer * p.AxisSize * p.Inner;
                long first = (long)outer * p.Inner;
                int c = from;
                for (; c <= to - TS.Count; c += TS.Count) Emit<TS, TV>(s, source + c, first + c, lanes);
                if (c < to && to - from >= TS.Count)
                {
                    // Overlapping last vector inside this unit's range: the outputs it rewrites get the same indices.
                    c = to - TS.Count;
                    Emit<TS, TV>(s, source + c, first + c, lanes);
                    continue;
                }
                for (; c < to; c++) Emit<Scalar, float>(s, source + c, first + c, lanes);
            }
        }

        /// <summary>TS.Count neighbouring outputs: each lane the reference's scan along the axis; indices written as int32 or int64.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Emit<TS, TV>(in State s, float* source, long output, float* lanes) where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.P;
            TV best = TS.Load(source);
            TV index = TS.Splat(0f);
            for (int k = 1; k < p.AxisSize; k++)
            {
                TV value = TS.Load(source + (long)k * p.Inner);
                TV better = p.IsMax ? TS.GreaterThan(value, best) : TS.LessThan(value, best);
                best = TS.Select(better, value, best);
                index = TS.Select(better, TS.Splat(k), index);
            }
            TS.Store(lanes, index);
            if (p.OutputType == TensorType.Int32)
            {
                int* destination = (int*)s.Output + output;
                for (int l = 0; l < TS.Count; l++) destination[l] = (int)lanes[l];
            }
            else
            {
                long* destination = (long*)s.Output + output;
                for (int l = 0; l < TS.Count; l++) destination[l] = (long)lanes[l];
            }
        }
    }
}
