using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8/uint8 PRELU cases of the CPU delegate's integer node: alpha a per-channel vector (8-lane blocks and a tail,
/// [C] and [1, 1, C], more channels than one 64-element block), the input's own shape (a constant and a graph input), one value, and a general broadcast (the plan
/// walk); enough rows to split over two threads; zero points at both ends of each range; alpha scales that saturate
/// and that flush the negative side; random bytes with every byte value in the first 256 elements.
/// </summary>
public static partial class OpCases
{
    private static BitExactCase QuantizedPreluCase(string name, Random random, TensorType type, int[] inputShape, int[] alphaShape, bool alphaInput,
        (float Scale, int ZeroPoint) xq, (float Scale, int ZeroPoint) aq, (float Scale, int ZeroPoint) yq)
    {
        byte[] Bytes(int[] shape, int step)
        {
            var bytes = new byte[shape.Aggregate(1, (a, d) => a * d)];
            for (int k = 0; k < bytes.Length; k++) bytes[k] = (byte)(k < 256 ? k * step : random.Next(256));
            return bytes;
        }
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", type, inputShape, PerTensor(xq.Scale, xq.ZeroPoint));
        byte[] alpha = Bytes(alphaShape, 73);
        int a = alphaInput ? mb.AddTensor("alpha", type, alphaShape, PerTensor(aq.Scale, aq.ZeroPoint))
            : mb.AddConstant("alpha", type, alphaShape, alpha, PerTensor(aq.Scale, aq.ZeroPoint));
        int y = mb.AddTensor("y", type, inputShape, PerTensor(yq.Scale, yq.ZeroPoint));
        mb.AddOperator(BuiltinOperator.Prelu, [x, a], [y]);
        mb.AddInput(x);
        if (alphaInput) mb.AddInput(a);
        mb.AddOutput(y);
        byte[] input = Bytes(inputShape, 1);
        return new BitExactCase(name, mb.Build(), alphaInput ? [input, alpha] : [input]);
    }

    public static IEnumerable<BitExactCase> QuantizedPreluCases(Random random)
    {
        var shapes = new (string What, int[] Input, int[] Alpha, bool AlphaInput)[]
        {
            ("channel vector [1,1,32], 2 threads", [1, 48, 48, 32], [1, 1, 32], false),
            ("channel vector [19] (8-lane tail)", [2, 5, 7, 19], [19], false),
            ("channel vector [1,1,72] (64-element blocks across rows)", [1, 6, 10, 72], [1, 1, 72], false),
            ("channel vector [1,1,5] as an input", [3, 7, 5], [1, 1, 5], true),
            ("alpha of the input's shape, 2 threads", [1, 40, 40, 24], [1, 40, 40, 24], false),
            ("alpha of the input's shape as an input, rank 5", [2, 3, 2, 3, 13], [2, 3, 2, 3, 13], true),
            ("one alpha value", [3, 4, 11], [1], false),
            ("general broadcast [4,1,3]", [2, 4, 5, 3], [4, 1, 3], false),
        };
        // (input, alpha, output) scales: ordinary, an alpha scale that saturates the negative side, one that flushes it to 0.
        var scales = new (float X, float A, float Y)[] { (0.05f, 0.01f, 0.04f), (0.1f, 2f, 0.01f), (0.02f, 1e-6f, 0.05f) };
        int index = 0;
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            bool int8 = type == TensorType.Int8;
            string t = int8 ? "int8" : "uint8";
            int Zero() => int8 ? random.Next(-128, 128) : random.Next(0, 256);
            foreach (var shape in shapes)
            {
                var s = scales[index++ % scales.Length];
                yield return QuantizedPreluCase($"PRELU {t} {shape.What}, scales {s.X}/{s.A}/{s.Y}", random, type, shape.Input, shape.Alpha, shape.AlphaInput,
                    (s.X, Zero()), (s.A, Zero()), (s.Y, Zero()));
            }
            // An alpha that is a graph input never takes the one-multiply-add form (it is found for constants): the
            // requantized branches (a left shift, none, and a flush to 0) on every scale set.
            foreach (var s in scales)
                yield return QuantizedPreluCase($"PRELU {t} channel vector [1,1,24] as an input, scales {s.X}/{s.A}/{s.Y}", random, type,
                    [1, 6, 9, 24], [1, 1, 24], true, (s.X, Zero()), (s.A, Zero()), (s.Y, Zero()));
            int low = int8 ? -128 : 0, high = int8 ? 127 : 255;
            foreach (var (zx, za, zy) in new[] { (low, high, low), (high, low, high), (low, low, high) })
                yield return QuantizedPreluCase($"PRELU {t} zero points {zx}/{za}/{zy}", random, type, [1, 9, 9, 17], [1, 1, 17], false,
                    (0.05f, zx), (0.02f, za), (0.03f, zy));
        }
    }
}
