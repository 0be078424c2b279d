using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// ARG_MAX and ARG_MIN over int32, int8 and uint8 inputs with int32 and int64 indices: the axis outermost (neighbouring
/// outputs side by side in lanes, every tail), in the middle and innermost, values from a small range (ties: the first
/// index must win) and from the dtype's full range, and a tensor split over the pool.
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<BitExactCase> IntegerArgCases(Random random)
    {
        foreach (var op in new[] { BuiltinOperator.ArgMax, BuiltinOperator.ArgMin })
            foreach (var type in new[] { TensorType.Int32, TensorType.Int8, TensorType.UInt8 })
                foreach (var indexType in new[] { TensorType.Int32, TensorType.Int64 })
                {
                    yield return Arg(op, type, indexType, [7, 37], 0, random, ties: true);
                    yield return Arg(op, type, indexType, [3, 5, 19], 1, random, ties: false);
                    yield return Arg(op, type, indexType, [6, 33], 1, random, ties: true);
                    yield return Arg(op, type, indexType, [5, 1], 0, random, ties: false);
                }
        yield return Arg(BuiltinOperator.ArgMax, TensorType.Int32, TensorType.Int32, [9, 64, 129], 1, random, ties: false);
    }

    private static BitExactCase Arg(BuiltinOperator op, TensorType type, TensorType indexType, int[] shape, int axis, Random random, bool ties)
    {
        int[] output = shape.Where((_, d) => d != axis).ToArray();
        var mb = new ModelBuilder();
        int tx = mb.AddTensor("x", type, shape);
        int ta = mb.AddConstant("axis", [1], [axis]);
        int ty = mb.AddTensor("y", indexType, output);
        OperatorOptions options = op == BuiltinOperator.ArgMax ? new ArgMaxOptions(indexType) : new ArgMinOptions(indexType);
        mb.AddOperator(op, [tx, ta], [ty], options);
        mb.AddInput(tx);
        mb.AddOutput(ty);
        int count = Count(shape);
        Array values = type switch
        {
            TensorType.Int32 => Enumerable.Range(0, count).Select(_ => ties ? random.Next(-3, 4) : random.Next(int.MinValue, int.MaxValue)).ToArray(),
            TensorType.Int8 => Enumerable.Range(0, count).Select(_ => (sbyte)(ties ? random.Next(-2, 3) : random.Next(-128, 128))).ToArray(),
            _ => Enumerable.Range(0, count).Select(_ => (byte)(ties ? random.Next(0, 4) : random.Next(256))).ToArray(),
        };
        return new BitExactCase($"{op} {Dtype(type)}→{Dtype(indexType)} {Shape(shape)} axis {axis}{(ties ? " ties" : "")}", mb.Build(), [values]);
    }
}
