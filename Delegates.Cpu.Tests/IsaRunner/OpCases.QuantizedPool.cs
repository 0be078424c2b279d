using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The int8, uint8 and int16 MAX_POOL_2D / AVERAGE_POOL_2D cases of the CPU delegate's integer pools: channel counts
/// below, at and off every vector width (1, 3, 8, 17, 28, 33, 69 — the last vector overlapping the one before it),
/// SAME and VALID windows whose tap count changes at the edges, global windows (int16: 400 taps, over the float
/// division's exact bound, so the remainder's steps: int32 sums eight channels a lane step, the division per channel), zero points at both ends, every fused activation, and the int16
/// extremes in every input; few-channel stride-1 rows for the flat interior run of the maximum, and rows of whole windows
/// for its per-pixel run.
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<BitExactCase> QuantizedPoolCases(Random random)
    {
        (int Fw, int Fh, int S, Padding P)[] windows = [(3, 3, 2, Padding.Same), (2, 2, 2, Padding.Valid), (3, 5, 1, Padding.Same)];
        ActivationFunctionType[] activations = [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1];
        int next = 0;
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
        foreach (var op in new[] { BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D })
        foreach (int depth in new[] { 1, 3, 8, 17, 28, 33, 69 })
        foreach (var (fw, fh, s, padding) in windows)
        {
            var activation = activations[next++ % activations.Length];
            int zero = type switch
            {
                TensorType.Int8 => next % 2 == 0 ? -128 : 127,
                TensorType.UInt8 => next % 2 == 0 ? 0 : 255,
                _ => 0,
            };
            int h = 7 + depth % 3, w = 6 + depth % 2;
            int oh = padding == Padding.Same ? (h + s - 1) / s : (h - fh) / s + 1, ow = padding == Padding.Same ? (w + s - 1) / s : (w - fw) / s + 1;
            yield return PoolCase($"{OpName(op)} {TypeName(type)} {fw}x{fh} s{s} {padding}, {depth} channels, zero point {zero}, {activation}",
                random, op, type, [1, h, w, depth], [1, oh, ow, depth], zero, new Pool2DOptions(padding, s, s, fw, fh, activation));
        }
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
            yield return PoolCase($"AVERAGE_POOL_2D {TypeName(type)} global 20x20, 24 channels", random, BuiltinOperator.AveragePool2D, type,
                [1, 20, 20, 24], [1, 1, 1, 24], type == TensorType.UInt8 ? 128 : 0, new Pool2DOptions(Padding.Valid, 1, 1, 20, 20, ActivationFunctionType.None));
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
            yield return PoolCase($"MAX_POOL_2D {TypeName(type)} 2x2 s2 VALID, 64x64x28, batch 2", random, BuiltinOperator.MaxPool2D, type,
                [2, 16, 16, 28], [2, 8, 8, 28], 0, new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
        // At least a vector of channels: the pixels whose windows are whole horizontally in one run (3×3 stride 2 with
        // padding at both ends of odd rows; 2×2 stride 2), and a window wider than the input (no whole window).
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
        {
            yield return PoolCase($"MAX_POOL_2D {TypeName(type)} 3x3 s2 SAME, 9x23x16, RELU", random, BuiltinOperator.MaxPool2D, type,
                [1, 9, 23, 16], [1, 5, 12, 16], type switch { TensorType.UInt8 => 131, TensorType.Int8 => -3, _ => 0 }, new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.Relu));
            yield return PoolCase($"MAX_POOL_2D {TypeName(type)} 2x2 s2 VALID, 12x30x40", random, BuiltinOperator.MaxPool2D, type,
                [1, 12, 30, 40], [1, 6, 15, 40], 0, new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
            yield return PoolCase($"MAX_POOL_2D {TypeName(type)} 5x5 s1 SAME, 4x3x32", random, BuiltinOperator.MaxPool2D, type,
                [1, 4, 3, 32], [1, 4, 3, 32], 0, new Pool2DOptions(Padding.Same, 1, 1, 5, 5, ActivationFunctionType.None));
        }
        // Few channels, horizontal stride 1, rows of 40 pixels: the flat interior run (its last vector overlapping).
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
        foreach (int depth in new[] { 1, 3, 7 })
            yield return PoolCase($"MAX_POOL_2D {TypeName(type)} 3x3 s1 SAME, 6x41x{depth}, RELU6", random, BuiltinOperator.MaxPool2D, type,
                [1, 6, 41, depth], [1, 6, 41, depth], type == TensorType.UInt8 ? 200 : 0, new Pool2DOptions(Padding.Same, 1, 1, 3, 3, ActivationFunctionType.Relu6));
        // More channels than the scalar steps accumulate at once (1024): the remainder in blocks (scalar path), and an
        // int16 average over more taps than the float division's bound (every path's remainder).
        foreach (var op in new[] { BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D })
            yield return PoolCase($"{OpName(op)} int8 2x2 s2 VALID, 2500 channels", random, op, TensorType.Int8,
                [1, 4, 4, 2500], [1, 2, 2, 2500], -7, new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
        yield return PoolCase("AVERAGE_POOL_2D int16 global 17x17, 1100 channels", random, BuiltinOperator.AveragePool2D, TensorType.Int16,
            [1, 17, 17, 1100], [1, 1, 1, 1100], 0, new Pool2DOptions(Padding.Valid, 1, 1, 17, 17, ActivationFunctionType.None));
    }

    private static string OpName(BuiltinOperator op) => op == BuiltinOperator.MaxPool2D ? "MAX_POOL_2D" : "AVERAGE_POOL_2D";

    private static string TypeName(TensorType type) => type switch { TensorType.Int8 => "int8", TensorType.UInt8 => "uint8", _ => "int16" };

    /// <summary>One pool node over a graph input: 8-bit inputs start with every byte value, int16 ones with both extremes.</summary>
    private static BitExactCase PoolCase(string name, Random random, BuiltinOperator op, TensorType type, int[] inputShape, int[] outputShape,
        int zeroPoint, Pool2DOptions options)
    {
        var mb = new ModelBuilder(name);
        float scale = type == TensorType.Int16 ? 1f / 4096 : 0.05f;
        int x = mb.AddTensor("x", type, inputShape, PerTensor(scale, zeroPoint));
        int y = mb.AddTensor("y", type, outputShape, PerTensor(scale, zeroPoint));
        mb.AddOperator(op, [x], [y], options, type == TensorType.Int16 ? 3 : 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        int count = inputShape.Aggregate(1, (a, d) => a * d);
        if (type != TensorType.Int16)
        {
            return new BitExactCase(name, mb.Build(), [EveryByteFirst(random, count)]);
        }
        var values = new short[count];
        for (int k = 0; k < count; k++)
            values[k] = k % 7 == 0 ? short.MinValue : k % 11 == 0 ? short.MaxValue : (short)random.Next(short.MinValue, short.MaxValue + 1);
        return new BitExactCase(name, mb.Build(), [values]);
    }
}
