using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// One comparison of TFLite's reference comparisons.h (<c>EqualFn</c>, <c>LessFn</c> …): the operator applied to two
/// operands of one type. For float32 the operators are IEEE-754's: NaN is unordered (every comparison but != is false).
/// </summary>
internal interface IComparisonFn
{
    static abstract bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool>;
}

/// <summary>
/// The comparison kernels (docs/numerics.md §Comparisons): TFLite's <c>ComparisonImpl / BroadcastComparison4DSlowImpl</c>
/// with NumPy broadcasting of any rank, out = <typeparamref name="TFn"/>(a, b) as a bool (0 or 1). float32, int32 and
/// int64 compare their values; int8/uint8 their values rescaled to a common unit (TFLite's ComparisonWithScaling); bool
/// operands (EQUAL, NOT_EQUAL) compare their truth, any nonzero byte being true.
/// </summary>
internal abstract class ComparisonKernel<TFn> : ReferenceKernel<BinaryElementwiseParams> where TFn : struct, IComparisonFn
{
    protected abstract BuiltinOperator Op { get; }

    public sealed override IReadOnlyList<OpId> Ops => [Op];

    public sealed override IReadOnlyList<TensorType> Types => OpDefinitions.Get(Op).Types;

    protected sealed override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        Span<bool> output = context.Output(0).Write<bool>();
        switch (a.Type)
        {
            case TensorType.Float32:
                p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output, new Compare<float>());
                break;
            case TensorType.Int32:
                p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output, new Compare<int>());
                break;
            case TensorType.Int64:
                p.Broadcast.Apply(a.Read<long>(), b.Read<long>(), output, new Compare<long>());
                break;
            case TensorType.Int8:
            case TensorType.UInt8:
                p.Broadcast.Apply(a.Bytes, b.Bytes, output, new CompareQuantized(p.QuantizedComparison!, a.Type == TensorType.Int8));
                break;
            default: // bool (the definition admits nothing else)
                p.Broadcast.Apply(a.Read<byte>(), b.Read<byte>(), output, new CompareTruth());
                break;
        }
    }

    private readonly struct Compare<T> : IBinaryElementOp<T, bool> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public bool Apply(T a, T b) => TFn.Compare(a, b);
    }

    /// <summary>int8/uint8 (TFLite's ComparisonWithScaling): both stored values rescaled to the common unit, compared as int32.</summary>
    private readonly struct CompareQuantized(QuantizedComparisonParams q, bool signed) : IBinaryElementOp<byte, bool>
    {
        public bool Apply(byte a, byte b) =>
            TFn.Compare(q.Scale1(signed ? (sbyte)a : a), q.Scale2(signed ? (sbyte)b : b));
    }

    private readonly struct CompareTruth : IBinaryElementOp<byte, bool>
    {
        public bool Apply(byte a, byte b) => TFn.Compare<byte>(a != 0 ? (byte)1 : (byte)0, b != 0 ? (byte)1 : (byte)0);
    }
}
