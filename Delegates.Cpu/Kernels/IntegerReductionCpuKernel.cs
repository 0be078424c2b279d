using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// REDUCE_ANY, bool (docs/numerics.md §Reductions): acc = false, acc = acc || x over each output's inputs — computed as a
/// bitwise OR of the bytes (any nonzero byte is true), written 0 or 1; the same plan and lanes as the other reductions.
/// </summary>
[OpCodes(BuiltinOperator.ReduceAny)]
internal sealed class ReduceAnyCpuKernel : CpuKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ReduceAny];

    public override IReadOnlyList<TensorType> Types => [TensorType.Bool];

    protected override ICpuCompiledNode Compile(DelegateNode node, ReductionParams p) =>
        new IntegerReductionNode<byte, AnyLanes>(node.Inputs[0]!, node.Outputs[0], ReductionCpuKernel.ReductionPlan.Create(p), truthValues: true);
}

/// <summary>The integer reductions' compiled nodes, by element type and kind.</summary>
internal static class IntegerReduction
{
    public static ICpuCompiledNode Create<T>(DelegateNode node, ReductionCpuKernel.ReductionPlan plan, ReductionKind kind)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        return kind switch
        {
            ReductionKind.Sum => new IntegerReductionNode<T, SumIntegerLanes<T>>(input, output, plan, truthValues: false),
            ReductionKind.Product => new IntegerReductionNode<T, ProductIntegerLanes<T>>(input, output, plan, truthValues: false),
            ReductionKind.Maximum => new IntegerReductionNode<T, MaximumIntegerLanes<T>>(input, output, plan, truthValues: false),
            ReductionKind.Minimum => new IntegerReductionNode<T, MinimumIntegerLanes<T>>(input, output, plan, truthValues: false),
            _ => throw new NotSupportedException($"{kind} has no integer CPU reduction"),
        };
    }
}

/// <summary>An integer reduction's identity; its combine is the <see cref="ILaneOp2{T}"/> (acc, x), the same in every lane width.</summary>
internal interface IIntegerReducer<T> : ILaneOp2<T> where T : unmanaged
{
    static abstract T Identity { get; }
}

/// <summary>SUM: acc + x, wrapping (two's complement) at every width.</summary>
internal readonly struct SumIntegerLanes<T> : IIntegerReducer<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Identity => T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => unchecked(a + b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a + b;
}

/// <summary>REDUCE_PROD: acc · x, wrapping (the low bits of the product) at every width.</summary>
internal readonly struct ProductIntegerLanes<T> : IIntegerReducer<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Identity => T.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => unchecked(a * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a * b;
}

/// <summary>REDUCE_MAX: acc &gt; x ? acc : x from the type's lowest value; for integers that is the maximum.</summary>
internal readonly struct MaximumIntegerLanes<T> : IIntegerReducer<T> where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    public static T Identity => T.MinValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
}

/// <summary>REDUCE_MIN: acc &lt; x ? acc : x from the type's largest value; for integers that is the minimum.</summary>
internal readonly struct MinimumIntegerLanes<T> : IIntegerReducer<T> where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    public static T Identity => T.MaxValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => a < b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
}

/// <summary>REDUCE_ANY on bool bytes: a bitwise OR (nonzero exactly when some byte is); the node writes the truth value 0 or 1.</summary>
internal readonly struct AnyLanes : IIntegerReducer<byte>
{
    public static byte Identity => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public byte Apply(byte a, byte b) => (byte)(a | b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<byte> Apply(Vector512<byte> a, Vector512<byte> b) => a | b;
}

/// <summary>
/// The float reduction's plan and order over integer or bool lanes: per output element one chain from the identity over
/// its inputs in row-major order; neighbouring outputs of a kept innermost run fold side by side in vector lanes.
/// Integer add, multiply, max, min and OR are exact, so the lanes give the reference's values in any width.
/// </summary>
internal sealed unsafe class IntegerReductionNode<T, TR> : ICpuCompiledNode where T : unmanaged where TR : struct, IIntegerReducer<T>
{
    /// <summary>Inner-run lanes per work unit, so a single long run can still be shared between threads.</summary>
    private const int BlockLength = 64;

    private readonly Tensor _input, _output;
    private readonly ReductionCpuKernel.ReductionPlan _plan;
    private readonly bool _truthValues;
    private readonly SimdWidth _width = SimdWidths.Current;
    private readonly int _blocksPerGroup, _units, _minUnits;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
    {
        switch (s.Node._width)
        {
            case SimdWidth.W512: s.Node.Units<Lanes512<T>, Vector512<T>>(s, start, end); break;
            case SimdWidth.W256: s.Node.Units<Lanes256<T>, Vector256<T>>(s, start, end); break;
            case SimdWidth.W128: s.Node.Units<Lanes128<T>, Vector128<T>>(s, start, end); break;
            default: s.Node.Units<Lane1<T>, T>(s, start, end); break;
        }
    };

    /// <param name="truthValues">Write each output as 0 or 1 (REDUCE_ANY: the OR of bool bytes).</param>
    public IntegerReductionNode(Tensor input, Tensor output, ReductionCpuKernel.ReductionPlan plan, bool truthValues)
    {
        _input = input;
        _output = output;
        _plan = plan;
        _truthValues = truthValues;
        _blocksPerGroup = (plan.Inner + BlockLength - 1) / BlockLength;
        _units = plan.Groups * _blocksPerGroup;
        long perUnit = Math.Max(1, plan.ReducedCount * Math.Min(plan.Inner, BlockLength));
        _minUnits = (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        T* input = (T*)RawTensorData.Read(_input);
        T* output = (T*)RawTensorData.Write(_output);
        if (_plan.IsCopy)
        {
            // A scalar input (or an empty axes list): combine(identity, x) per element, as the reference.
            var op = default(TR);
            for (long i = 0; i < _plan.OutputCount; i++) output[i] = Truth(op.Apply(TR.Identity, input[i]));
            return;
        }
        if (_units == 0) return;
        Chunked.For(pool, _units, _minUnits, new State(this, input, output), Work);
    }

    private readonly struct State(IntegerReductionNode<T, TR> node, T* input, T* output)
    {
        public IntegerReductionNode<T, TR> Node => node;
        public T* Input => input;
        public T* Output => output;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Truth(T value)
    {
        if (!_truthValues) return value;
        byte b = Unsafe.As<T, byte>(ref value) != 0 ? (byte)1 : (byte)0;
        return Unsafe.As<byte, T>(ref b);
    }

    [MethodImpl(JitHints.Hot)]
    private void Units<TL, TV>(in State s, int start, int end) where TL : ILanes<T, TV> where TV : unmanaged
    {
        var p = _plan;
        Span<int> counter = stackalloc int[Math.Max(1, p.ReducedDims.Length)];
        for (int unit = start; unit < end; unit++)
        {
            int group = unit / _blocksPerGroup;
            int from = unit % _blocksPerGroup * BlockLength;
            int to = Math.Min(from + BlockLength, p.Inner);
            long baseOffset = 0;
            int rest = group;
            for (int d = p.KeptDims.Length - 1; d >= 0; d--)
            {
                baseOffset += rest % p.KeptDims[d] * p.KeptStrides[d];
                rest /= p.KeptDims[d];
            }
            T* source = s.Input + baseOffset;
            T* destination = s.Output + (long)group * p.Inner;
            int c = from;
            for (; c <= to - TL.Count; c += TL.Count)
                TL.Store(destination + c, Fold<TL, TV>(source + c, p, counter));
            for (; c < to; c++)
                destination[c] = Fold<Lane1<T>, T>(source + c, p, counter);
            if (_truthValues)
                for (c = from; c < to; c++) destination[c] = Truth(destination[c]);
        }
    }

    /// <summary>One chain per lane over the reduced coordinates in row-major order, from the identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Fold<TL, TV>(T* source, ReductionCpuKernel.ReductionPlan p, Span<int> counter) where TL : ILanes<T, TV> where TV : unmanaged
    {
        var op = default(TR);
        TV acc = TL.Splat(TR.Identity);
        int reducedRank = p.ReducedDims.Length;
        if (p.ReducedCount == 0) return acc;
        if (reducedRank == 0) return TL.Apply(op, acc, TL.Load(source)); // only size-1 dimensions reduced
        int lastSize = p.ReducedDims[reducedRank - 1];
        long lastStride = p.ReducedStrides[reducedRank - 1];
        counter.Clear();
        long offset = 0;
        while (true)
        {
            T* run = source + offset;
            for (int i = 0; i < lastSize; i++) acc = TL.Apply(op, acc, TL.Load(run + i * lastStride));
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
