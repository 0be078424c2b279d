using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>The compiled nodes of the typed element-wise kernels, by element type and op.</summary>
internal static class LaneKernels
{
    /// <summary>out[i] = op(in[i]) (the output has the input's dtype and shape).</summary>
    public static ICpuCompiledNode Unary<T, TOp>(DelegateNode node) where T : unmanaged where TOp : struct, ILaneOp<T> =>
        new LaneUnaryNode<T, TOp>(node);

    /// <summary>out = op(a, b) with broadcasting, of the inputs' dtype.</summary>
    public static ICpuCompiledNode Binary<T, TOp>(DelegateNode node) where T : unmanaged where TOp : struct, ILaneOp2<T> =>
        new LaneBinaryNode<T, RowWriter.Map<T, TOp>>(node);

    /// <summary>out = p(a, b) with broadcasting, as bool bytes.</summary>
    public static ICpuCompiledNode Predicate<T, TOp>(DelegateNode node) where T : unmanaged where TOp : struct, ILanePredicate<T> =>
        new LaneBinaryNode<T, RowWriter.Truth<T, TOp>>(node);
}

/// <summary>
/// One of TFLite's comparison predicates (reference comparisons.h), for any element type: the scalar operator and the
/// vector compare, both IEEE-754's ordered predicates for float32 (NaN unordered: false, except !=).
/// </summary>
internal interface IComparison
{
    static abstract bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool>;
    static abstract Vector128<T> Compare<T>(Vector128<T> a, Vector128<T> b);
    static abstract Vector256<T> Compare<T>(Vector256<T> a, Vector256<T> b);
    static abstract Vector512<T> Compare<T>(Vector512<T> a, Vector512<T> b);
}

/// <summary><typeparamref name="TCmp"/> on float32, int32 or int64 lanes.</summary>
internal readonly struct ComparisonPredicate<T, TCmp> : ILanePredicate<T>
    where T : unmanaged, IComparisonOperators<T, T, bool> where TCmp : IComparison
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Apply(T a, T b) => TCmp.Compare(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => TCmp.Compare(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => TCmp.Compare(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => TCmp.Compare(a, b);
}

/// <summary>
/// <typeparamref name="TCmp"/> on bool operands: their truth values (any nonzero byte is 1: min(x, 1) unsigned) compared
/// as bytes, the result written as 0 or 1 — the reference's CompareTruth.
/// </summary>
internal readonly struct BoolComparison<TCmp> : ILaneOp2<byte> where TCmp : IComparison
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Apply(byte a, byte b) => TCmp.Compare(a != 0 ? (byte)1 : (byte)0, b != 0 ? (byte)1 : (byte)0) ? (byte)1 : (byte)0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
        TCmp.Compare(Vector128.Min(a, Vector128<byte>.One), Vector128.Min(b, Vector128<byte>.One)) & Vector128<byte>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) =>
        TCmp.Compare(Vector256.Min(a, Vector256<byte>.One), Vector256.Min(b, Vector256<byte>.One)) & Vector256<byte>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<byte> Apply(Vector512<byte> a, Vector512<byte> b) =>
        TCmp.Compare(Vector512.Min(a, Vector512<byte>.One), Vector512.Min(b, Vector512<byte>.One)) & Vector512<byte>.One;
}

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL: two inputs of one dtype — float32, int32, int64, int8,
/// uint8 (and bool where <see cref="Types"/> lists it) — broadcast to a bool output; out = <typeparamref name="TCmp"/>(a, b)
/// as 0 or 1. int8/uint8 look up a 65,536-entry table of every byte pair, filled at compile time with the reference's
/// rescaling (QuantizedComparisonParams.Scale1/Scale2), through the broadcast engine.
/// </summary>
internal abstract class ComparisonCpuKernel<TCmp> : CpuKernel<BinaryElementwiseParams> where TCmp : struct, IComparison
{
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Predicate<float, ComparisonPredicate<float, TCmp>>(node),
        TensorType.Int32 => LaneKernels.Predicate<int, ComparisonPredicate<int, TCmp>>(node),
        TensorType.Int64 => LaneKernels.Predicate<long, ComparisonPredicate<long, TCmp>>(node),
        TensorType.Int8 or TensorType.UInt8 => new ScalarBroadcastNode<byte, BytePairTable>(node,
            new BytePairTable(QuantizedTable(p.QuantizedComparison!, node.Inputs[0]!.Type == TensorType.Int8)), false),
        _ => LaneKernels.Binary<byte, BoolComparison<TCmp>>(node), // bool (Supports admitted only Types)
    };

    /// <summary>The bool (0/1) result for every (a, b) byte pair, index a · 256 + b.</summary>
    private static byte[] QuantizedTable(QuantizedComparisonParams q, bool signed)
    {
        var table = new byte[65536];
        for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            table[a << 8 | b] = TCmp.Compare(q.Scale1(signed ? (sbyte)a : a), q.Scale2(signed ? (sbyte)b : b)) ? (byte)1 : (byte)0;
        return table;
    }
}

/// <summary>A binary op on two bytes by a 65,536-entry table of its results (index a · 256 + b): comparisons, DIV.</summary>
internal readonly struct BytePairTable(byte[] table) : IScalarBinaryOp<byte>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Apply(byte a, byte b) => table[a << 8 | b];
}
