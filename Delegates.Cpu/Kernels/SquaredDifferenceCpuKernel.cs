using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SQUARED_DIFFERENCE, float32 and int32: d = a − b, out = d · d with broadcasting — float32 two rounded operations
/// (no FMA), int32 both wrapping (vpmulld keeps the low 32 bits) — as the reference; int8 by a table of the reference's
/// integer formula per byte pair, through the broadcast engine.
/// </summary>
[OpCodes(BuiltinOperator.SquaredDifference)]
internal sealed class SquaredDifferenceCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Binary<float, SquaredDifferenceOp<float>>(node),
        TensorType.Int8 => new ScalarBroadcastNode<sbyte, SquaredDifferenceInt8Op>(node, new SquaredDifferenceInt8Op(p.QuantizedSquaredDifference!), false),
        _ => LaneKernels.Binary<int, SquaredDifferenceOp<int>>(node),
    };
}

/// <summary>
/// int8 SQUARED_DIFFERENCE as a 65,536-entry table of every (a, b) byte pair, filled once with the reference's element
/// formula (Quantization.SquaredDifference): one L2-resident load per element instead of three requantizations.
/// </summary>
internal readonly struct SquaredDifferenceInt8Op : IScalarBinaryOp<sbyte>
{
    private readonly sbyte[] _table;

    public SquaredDifferenceInt8Op(QuantizedAddParams q)
    {
        _table = new sbyte[65536];
        for (int a = sbyte.MinValue; a <= sbyte.MaxValue; a++)
        for (int b = sbyte.MinValue; b <= sbyte.MaxValue; b++)
            _table[(byte)a << 8 | (byte)b] = (sbyte)Quantization.SquaredDifference(a, b, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public sbyte Apply(sbyte a, sbyte b) => _table[(byte)a << 8 | (byte)b];
}

internal readonly struct SquaredDifferenceOp<T> : ILaneOp2<T> where T : unmanaged, INumberBase<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply(T a, T b)
    {
        T difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(Vector128<T> a, Vector128<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }
}
