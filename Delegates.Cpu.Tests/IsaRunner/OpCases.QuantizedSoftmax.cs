using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The 8-bit (int8, uint8) SOFTMAX cases of the CPU delegate (docs/numerics.md §Quantized execution, SOFTMAX): rows
/// shorter than, equal to and longer than the 8-lane output vector and the 32-byte maximum vector (1, 7, 8, 31, 32, 33,
/// 1000), row counts around the four-row interleave (1, 3, 4, 5, 9), betas and input scales from flat to peaked
/// distributions, random bytes with every byte value in the first 256 elements. Degenerate output scales make
/// results that overflow the vector conversion: the uint8 case with scale 1e-12 sends every element to the clamp.
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<BitExactCase> QuantizedSoftmaxCases(Random random)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            string t = type == TensorType.Int8 ? "int8" : "uint8";
            (float Scale, int ZeroPoint) output = (1f / 256, type == TensorType.Int8 ? -128 : 0);
            foreach (int depth in new[] { 1, 7, 8, 31, 32, 33, 1000 })
                foreach (int rows in new[] { 1, 5, 9 })
                    yield return SoftmaxCase($"SOFTMAX {t} {rows}x{depth}", random, type, [rows, depth], 0.1f, 1f, output);
            yield return SoftmaxCase($"SOFTMAX {t} 4x3x257 beta 0.3", random, type, [4, 3, 257], 0.05f, 0.3f, output);
            yield return SoftmaxCase($"SOFTMAX {t} 1x1x896x2 (detector scores)", random, type, [1, 1, 896, 2], 0.2f, 1f, output);
            yield return SoftmaxCase($"SOFTMAX {t} 3x64 peaked (scale 1, beta 2)", random, type, [3, 64], 1f, 2f, output);
            yield return SoftmaxCase($"SOFTMAX {t} 4x40 flat (scale 1e-4)", random, type, [4, 40], 1e-4f, 1f, output);
            if (type == TensorType.UInt8)
            {
                yield return SoftmaxCase($"SOFTMAX {t} 2x24 output scale 0.01", random, type, [2, 24], 0.1f, 1f, (0.01f, 0));
                yield return SoftmaxCase($"SOFTMAX {t} 2x24 output scale 1e-12 (saturates)", random, type, [2, 24], 0.1f, 1f, (1e-12f, 0));
            }
        }
    }

    /// <summary>
    /// int16x8 LOGISTIC and TANH (output scale 2^-15): the table path (scale 0.001), the gemmlowp fixed-point path
    /// (2^-12; TANH also 2^-11), every int16 value in the first 65,536 elements.
    /// </summary>
    public static IEnumerable<BitExactCase> Int16SigmoidCases(Random random)
    {
        foreach (var op in new[] { BuiltinOperator.Logistic, BuiltinOperator.Tanh })
            foreach (float scale in op == BuiltinOperator.Tanh ? new[] { 0.001f, 1f / 4096, 1f / 2048 } : [0.001f, 1f / 4096])
            {
                var mb = new ModelBuilder($"{op} int16 scale {scale}");
                int[] shape = [3, 65536 / 3 + 7];
                int x = mb.AddTensor("x", TensorType.Int16, shape, PerTensor(scale, 0));
                int y = mb.AddTensor("y", TensorType.Int16, shape, PerTensor(1f / 32768, 0));
                mb.AddOperator(op, [x], [y], null, version: 3);
                mb.AddInput(x);
                mb.AddOutput(y);
                var values = new short[shape[0] * shape[1]];
                for (int k = 0; k < values.Length; k++) values[k] = (short)(k < 65536 ? k - 32768 : random.Next(-32768, 32768));
                yield return new BitExactCase($"{op.ToSchemaName()} int16 scale {scale}", mb.Build(), [values]);
            }
    }

    private static BitExactCase SoftmaxCase(string name, Random random, TensorType type, int[] shape, float inputScale, float beta,
        (float Scale, int ZeroPoint) output)
    {
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", type, shape, PerTensor(inputScale, type == TensorType.Int8 ? -3 : 125));
        int y = mb.AddTensor("y", type, shape, PerTensor(output.Scale, output.ZeroPoint));
        mb.AddOperator(BuiltinOperator.Softmax, [x], [y], new SoftmaxOptions(beta), version: 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        return new BitExactCase(name, mb.Build(), [EveryByteFirst(random, shape.Aggregate(1, (a, d) => a * d))]);
    }
}
