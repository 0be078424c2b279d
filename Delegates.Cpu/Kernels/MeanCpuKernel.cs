using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MEAN, float32. Per output element, as the reference: sum = +0, then sum = sum + x over its input elements in the
/// input's row-major order (i.e. the reduced coordinates in row-major order; plain rounded adds, never reassociated),
/// then sum · R(n), the definition's SpecMath.ReciprocalOfCount (n = 0 multiplies by +inf). Adjacent dimensions of the same
/// kind are merged; when the innermost dimension is kept, output elements along it are contiguous in the input and
/// are summed side by side in vector lanes (each lane its own sequential chain); otherwise one lane at a time.
/// int8/uint8/int16/int32/int64: <see cref="IntegerMeanCpuNode{TSum, TRows}"/> over the same merged layout (exact integer
/// sums; int16 finished by either of TFLite's two int16 MEAN forms, as the reference).
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanCpuKernel : CpuKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, MeanParams p)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        var plan = MeanPlan.Create(p);
        return input.Type switch
        {
            TensorType.Int8 => new IntegerMeanCpuNode<int, Int8MeanRows>(input, output, plan, new Int8MeanRows(p.Quantized!)),
            TensorType.UInt8 => new IntegerMeanCpuNode<int, UInt8MeanRows>(input, output, plan, new UInt8MeanRows(p.Quantized!)),
            TensorType.Int16 => new IntegerMeanCpuNode<int, Int16MeanRows>(input, output, plan, new Int16MeanRows(p.Quantized!)),
            TensorType.Int32 => new IntegerMeanCpuNode<long, Int32MeanRows>(input, output, plan, default),
            TensorType.Int64 => new IntegerMeanCpuNode<long, Int64MeanRows>(input, output, plan, default),
            _ => new MeanNode(input, output, plan),
        };
    }

    /// <summary>The reduction after merging: kept outer dimensions, reduced dimensions (both with input strides), and the inner run.</summary>
    internal sealed class MeanPlan
    {
        public required int[] KeptDims { get; init; }
        public required long[] KeptStrides { get; init; }
        public required int[] ReducedDims { get; init; }
        public required long[] ReducedStrides { get; init; }

        /// <summary>Length of the innermost kept run, contiguous in input and output (1 when the innermost dimension is reduced).</summary>
        public required int Inner { get; init; }
        public required float Reciprocal { get; init; }
        public required long ReducedCount { get; init; }

        public int Groups => KeptDims.Aggregate(1, (a, d) => a * d);

        /// <summary>The definition's reduction (reduced dimensions, n and R(n)) in the merged layout the loops walk.</summary>
        public static MeanPlan Create(MeanParams p) => Create(p.InputDims, p.Reduced, p.ReducedCount, p.Reciprocal);

        /// <summary>The same layout for any reduction (quantized SUM shares MEAN's integer node; R(n) unused there).</summary>
        public static MeanPlan Create(System.Collections.Immutable.ImmutableArray<int> shape, System.Collections.Immutable.ImmutableArray<bool> reduced,
            long reducedCount, float reciprocal)
        {
            int rank = shape.Length;

            // Merge neighbouring dimensions of the same kind (row-major order within the merged run is unchanged).
            var dims = new List<(int Size, bool Reduced)>();
            for (int d = 0; d < rank; d++)
            {
                if (shape[d] == 1) continue; // a size-1 dimension changes neither the order nor the offsets
                if (dims.Count > 0 && dims[^1].Reduced == reduced[d]) dims[^1] = (dims[^1].Size * shape[d], reduced[d]);
                else dims.Add((shape[d], reduced[d]));
            }
            int inner = 1;
            if (dims.Count > 0 && !dims[^1].Reduced)
            {
                inner = dims[^1].Size;
                dims.RemoveAt(dims.Count - 1);
            }
            var keptDims = new List<int>();
            var keptStrides = new List<long>();
            var reducedDims = new List<int>();
            var reducedStrides = new List<long>();
            long stride = inner;
            for (int d = dims.Count - 1; d >= 0; d--)
            {
                if (dims[d].Reduced)
                {
                    reducedDims.Insert(0, dims[d].Size);
                    reducedStrides.Insert(0, stride);
                }
                else
                {
                    keptDims.Insert(0, dims[d].Size);
                    keptStrides.Insert(0, stride);
                }
                stride *= dims[d].Size;
            }
            return new MeanPlan
            {
                KeptDims = keptDims.ToArray(), KeptStrides = keptStrides.ToArray(),
                ReducedDims = reducedDims.ToArray(), ReducedStrides = reducedStrides.ToArray(),
                Inner = inner, ReducedCount = reducedCount, Reciprocal = reciprocal,
            };
        }
    }

    private sealed unsafe class MeanNode : ICpuCompiledNode
    {
        /// <summary>Inner-run lanes handled per work unit, so a single long run can still be shared between threads.</summary>
        private const int BlockLength = 64;

        private readonly Tensor _input, _output;
        private readonly MeanPlan _plan;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _blocksPerGroup;
        private readonly int _units;
        private readonly int _minUnits;

        public MeanNode(Tensor input, Tensor output, MeanPlan plan)
        {
            _input = input;
            _output = output;
            _plan = plan;
            _blocksPerGroup = (plan.Inner + BlockLength - 1) / BlockLength;
            _units = plan.Groups * _blocksPerGroup;
            long perUnit = Math.Max(1, plan.ReducedCount * Math.Min(plan.Inner, BlockLength));
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
            if (_units == 0) return;
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _plan, _width, _blocksPerGroup);
            Chunked.For(pool, _units, _minUnits, state, Work);
        }

        private readonly struct State(float* input, float* output, MeanPlan plan, SimdWidth width, int blocksPerGroup)
        {
            public float* Input => input;
            public float* Output => output;
            public MeanPlan Plan => plan;
            public SimdWidth Width => width;
            public int BlocksPerGroup => blocksPerGroup;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Units<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.Plan;
            int reducedRank = p.ReducedDims.Length;
            Span<int> counter = stackalloc int[Math.Max(1, reducedRank)];
            for (int unit = start; unit < end; unit++)
            {
                int group = unit / s.BlocksPerGroup;
                int from = unit % s.BlocksPerGroup * BlockLength;
                int to = Math.Min(from + BlockLength, p.Inner);
                // Input offset of this group's first element: its kept coordinates times their strides.
                long baseOffset = 0;
                int rest = group;
                for (int d = p.KeptDims.Length - 1; d >= 0; d--)
                {
                    baseOffset += rest % p.KeptDims[d] * p.KeptStrides[d];
                    rest /= p.KeptDims[d];
                }
                float* source = s.Input + baseOffset;
                float* destination = s.Output + (long)group * p.Inner;
                int c = from;
                for (; c <= to - TS.Count; c += TS.Count)
                    TS.Store(destination + c, Sum<TS, TV>(source + c, p, counter));
                if (c < to && to - from >= TS.Count)
                {
                    // Overlapping last vector inside this unit's range: the lanes it rewrites get the same bits.
                    c = to - TS.Count;
                    TS.Store(destination + c, Sum<TS, TV>(source + c, p, counter));
                    continue;
                }
                for (; c < to; c++)
                    destination[c] = Sum<Scalar, float>(source + c, p, counter);
            }
        }

        /// <summary>Sequential sum over the reduced coordinates in row-major order, times R(n).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Sum<TS, TV>(float* source, MeanPlan p, Span<int> counter) where TS : ISimd<TV> where TV : unmanaged
        {
            TV sum = TS.Splat(0f);
            int reducedRank = p.ReducedDims.Length;
            if (reducedRank == 0)
            {
                if (p.ReducedCount != 0) sum = TS.Add(sum, TS.Load(source));
                return TS.Multiply(sum, TS.Splat(p.Reciprocal));
            }
            if (p.ReducedCount == 0) return TS.Multiply(sum, TS.Splat(p.Reciprocal));
            int lastSize = p.ReducedDims[reducedRank - 1];
            long lastStride = p.ReducedStrides[reducedRank - 1];
            counter.Clear();
            long offset = 0;
            while (true)
            {
                float* run = source + offset;
                for (int i = 0; i < lastSize; i++) sum = TS.Add(sum, TS.Load(run + i * lastStride));
                // Odometer over the outer reduced dimensions.
                int d = reducedRank - 2;
                for (; d >= 0; d--)
                {
                    offset += p.ReducedStrides[d];
                    if (++counter[d] < p.ReducedDims[d]) break;
                    offset -= p.ReducedStrides[d] * p.ReducedDims[d];
                    counter[d] = 0;
                }
                if (d < 0) break;
            }
            return TS.Multiply(sum, TS.Splat(p.Reciprocal));
        }
    }
}
