using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// REDUCE_PROD, REDUCE_MAX and REDUCE_MIN (and SUM's float32/int32/int64 through SumCpuKernel), float32 (int32 and int64: IntegerReductionNode, the same plan and order)
/// (docs/numerics.md §Reductions). Per output element, as the
/// reference: acc = identity, then acc = combine(acc, x) over its input elements in the input's row-major order (one
/// sequential chain, never reassociated). Adjacent dimensions of the same kind are merged and size-1 dimensions
/// dropped (neither changes the order); when the innermost dimension is kept, neighbouring outputs are contiguous in
/// the input and fold side by side in vector lanes, each lane its own chain; otherwise one lane at a time. The
/// combine is per lane exactly the reference's: a rounded add or multiply, or a select on an ordered compare
/// (acc &gt; x ? acc : x), so NaN and ±0 resolve as in the reference.
/// </summary>
[OpCodes(BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin)]
internal sealed class ReductionCpuKernel : CpuKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];

    /// <summary>float32 here; int32 and int64 in IntegerReductionNode (wrapping integer arithmetic, exact in any lane).</summary>
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64];

    protected override ICpuCompiledNode Compile(DelegateNode node, ReductionParams p) => CompileFloatOrInteger(node, p);

    /// <summary>The float32, int32 and int64 nodes (SUM's too).</summary>
    internal static ICpuCompiledNode CompileFloatOrInteger(DelegateNode node, ReductionParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => new ReductionNode(node.Inputs[0]!, node.Outputs[0], ReductionPlan.Create(p), p.Kind),
        TensorType.Int32 => IntegerReduction.Create<int>(node, ReductionPlan.Create(p), p.Kind),
        _ => IntegerReduction.Create<long>(node, ReductionPlan.Create(p), p.Kind),
    };

    /// <summary>The reduction after merging: kept outer dimensions, reduced dimensions (both with input strides), the inner run.</summary>
    internal sealed class ReductionPlan
    {
        public required int[] KeptDims { get; init; }
        public required long[] KeptStrides { get; init; }
        public required int[] ReducedDims { get; init; }
        public required long[] ReducedStrides { get; init; }

        /// <summary>Length of the innermost kept run, contiguous in input and output (1 when the innermost dimension is reduced).</summary>
        public required int Inner { get; init; }
        public required long ReducedCount { get; init; }
        public required bool IsCopy { get; init; }
        public required long OutputCount { get; init; }

        public int Groups => KeptDims.Aggregate(1, (a, d) => a * d);

        public static ReductionPlan Create(ReductionParams p)
        {
            var shape = p.InputDims;
            var reduced = p.Reduced;
            var dims = new List<(int Size, bool Reduced)>();
            for (int d = 0; d < shape.Length; d++)
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
                (dims[d].Reduced ? reducedDims : keptDims).Insert(0, dims[d].Size);
                (dims[d].Reduced ? reducedStrides : keptStrides).Insert(0, stride);
                stride *= dims[d].Size;
            }
            return new ReductionPlan
            {
                KeptDims = keptDims.ToArray(), KeptStrides = keptStrides.ToArray(),
                ReducedDims = reducedDims.ToArray(), ReducedStrides = reducedStrides.ToArray(),
                Inner = inner, ReducedCount = p.ReducedCount, IsCopy = p.IsCopy, OutputCount = p.OutputCount,
            };
        }
    }

    /// <summary>A reduction's identity and combine, per lane (the reference's IReducer, vectorised).</summary>
    private interface ILaneReducer
    {
        static abstract float Identity { get; }
        static abstract TV Combine<TS, TV>(TV accumulator, TV value) where TS : ISimd<TV> where TV : unmanaged;
    }

    private readonly struct SumLanes : ILaneReducer
    {
        public static float Identity => 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Combine<TS, TV>(TV accumulator, TV value) where TS : ISimd<TV> where TV : unmanaged => TS.Add(accumulator, value);
    }

    private readonly struct ProductLanes : ILaneReducer
    {
        public static float Identity => 1f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Combine<TS, TV>(TV accumulator, TV value) where TS : ISimd<TV> where TV : unmanaged => TS.Multiply(accumulator, value);
    }

    private readonly struct MaximumLanes : ILaneReducer
    {
        public static float Identity => -float.MaxValue;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Combine<TS, TV>(TV accumulator, TV value) where TS : ISimd<TV> where TV : unmanaged =>
            TS.Select(TS.GreaterThan(accumulator, value), accumulator, value);
    }

    private readonly struct MinimumLanes : ILaneReducer
    {
        public static float Identity => float.MaxValue;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Combine<TS, TV>(TV accumulator, TV value) where TS : ISimd<TV> where TV : unmanaged =>
            TS.Select(TS.LessThan(accumulator, value), accumulator, value);
    }

    private sealed unsafe class ReductionNode : ICpuCompiledNode
    {
        /// <summary>Inner-run lanes handled per work unit, so a single long run can still be shared between threads.</summary>
        private const int BlockLength = 64;

        private readonly Tensor _input, _output;
        private readonly ReductionPlan _plan;
        private readonly ReductionKind _kind;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _blocksPerGroup;
        private readonly int _units;
        private readonly int _minUnits;

        public ReductionNode(Tensor input, Tensor output, ReductionPlan plan, ReductionKind kind)
        {
            _input = input;
            _output = output;
            _plan = plan;
            _kind = kind;
            _blocksPerGroup = (plan.Inner + BlockLength - 1) / BlockLength;
            _units = plan.Groups * _blocksPerGroup;
            long perUnit = Math.Max(1, plan.ReducedCount * Math.Min(plan.Inner, BlockLength));
            _minUnits = (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue);
        }

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            switch (s.Kind)
            {
                case ReductionKind.Sum: Dispatch<SumLanes>(s, start, end); break;
                case ReductionKind.Product: Dispatch<ProductLanes>(s, start, end); break;
                case ReductionKind.Maximum: Dispatch<MaximumLanes>(s, start, end); break;
                default: Dispatch<MinimumLanes>(s, start, end); break;
            }
        };

        private static void Dispatch<TR>(in State s, int start, int end) where TR : ILaneReducer
        {
            switch (s.Width)
            {
                case SimdWidth.W512: Units<TR, Simd512, Vector512<float>>(s, start, end); break;
                case SimdWidth.W256: Units<TR, Simd256, Vector256<float>>(s, start, end); break;
                case SimdWidth.W128: Units<TR, Simd128, Vector128<float>>(s, start, end); break;
                default: Units<TR, Scalar, float>(s, start, end); break;
            }
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            if (_plan.IsCopy)
            {
                // A scalar input (or an empty axes list): the output is the input, bit for bit.
                new ReadOnlySpan<float>(TensorData.Read(_input), (int)_plan.OutputCount)
                    .CopyTo(new Span<float>(TensorData.Write(_output), (int)_plan.OutputCount));
                return;
            }
            if (_units == 0) return;
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _plan, _kind, _width, _blocksPerGroup);
            Chunked.For(pool, _units, _minUnits, state, Work);
        }

        private readonly struct State(float* input, float* output, ReductionPlan plan, ReductionKind kind, SimdWidth width, int blocksPerGroup)
        {
            public float* Input => input;
            public float* Output => output;
            public ReductionPlan Plan => plan;
            public ReductionKind Kind => kind;
            public SimdWidth Width => width;
            public int BlocksPerGroup => blocksPerGroup;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Units<TR, TS, TV>(in State s, int start, int end) where TR : ILaneReducer where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.Plan;
            Span<int> counter = stackalloc int[Math.Max(1, p.ReducedDims.Length)];
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
                    TS.Store(destination + c, Fold<TR, TS, TV>(source + c, p, counter));
                if (c < to && to - from >= TS.Count)
                {
                    // Overlapping last vector inside this unit's range: the lanes it rewrites get the same bits.
                    c = to - TS.Count;
                    TS.Store(destination + c, Fold<TR, TS, TV>(source + c, p, counter));
                    continue;
                }
                for (; c < to; c++)
                    destination[c] = Fold<TR, Scalar, float>(source + c, p, counter);
            }
        }

        /// <summary>One sequential chain per lane over the reduced coordinates in row-major order, from the identity.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Fold<TR, TS, TV>(float* source, ReductionPlan p, Span<int> counter)
            where TR : ILaneReducer where TS : ISimd<TV> where TV : unmanaged
        {
            TV acc = TS.Splat(TR.Identity);
            int reducedRank = p.ReducedDims.Length;
            if (p.ReducedCount == 0) return acc;
            if (reducedRank == 0) return TR.Combine<TS, TV>(acc, TS.Load(source)); // only size-1 dimensions reduced
            int lastSize = p.ReducedDims[reducedRank - 1];
            long lastStride = p.ReducedStrides[reducedRank - 1];
            counter.Clear();
            long offset = 0;
            while (true)
            {
                float* run = source + offset;
                for (int i = 0; i < lastSize; i++) acc = TR.Combine<TS, TV>(acc, TS.Load(run + i * lastStride));
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
            return acc;
        }
    }
}
