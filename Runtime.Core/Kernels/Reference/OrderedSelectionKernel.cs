using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>Which operand MAXIMUM / MINIMUM keep: the first when <see cref="TakesFirst{T}"/>, else the second.</summary>
internal interface IOrderedSelection
{
    bool TakesFirst<T>(T a, T b) where T : unmanaged, IComparisonOperators<T, T, bool>;
}

/// <summary>
/// MAXIMUM and MINIMUM (float32, int32, int64, int8, uint8, int16 — quantized values compared as stored) with NumPy broadcasting: <c>out = TakesFirst(a, b) ? a : b</c>, the
/// one dtype dispatch both share.
/// </summary>
internal abstract class OrderedSelectionKernel<TSelection> : ReferenceKernel<BinaryElementwiseParams>
    where TSelection : struct, IOrderedSelection
{
    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        switch (a.Type)
        {
            case TensorType.Float32:
                p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new Op<float>());
                break;
            case TensorType.Int32:
                p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Op<int>());
                break;
            case TensorType.Int8:
                p.Broadcast.Apply(a.Read<sbyte>(), b.Read<sbyte>(), output.Write<sbyte>(), new Op<sbyte>());
                break;
            case TensorType.UInt8:
                p.Broadcast.Apply(a.Read<byte>(), b.Read<byte>(), output.Write<byte>(), new Op<byte>());
                break;
            case TensorType.Int16:
                p.Broadcast.Apply(a.Read<short>(), b.Read<short>(), output.Write<short>(), new Op<short>());
                break;
            default:
                p.Broadcast.Apply(a.Read<long>(), b.Read<long>(), output.Write<long>(), new Op<long>());
                break;
        }
    }

    private readonly struct Op<T> : IBinaryElementOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public T Apply(T a, T b) => default(TSelection).TakesFirst(a, b) ? a : b;
    }
}
