using Accel.Building;

namespace Accel.Testing.Faults;

/// <summary>
/// A long chain every backend claims whole (one partition): <c>layers</c> × (CONV_2D 3×3 SAME → LOGISTIC) on a
/// 1×32×32×<c>channels</c> tensor, for the shared cancellation tests. LOGISTIC keeps every value in (0, 1), however long
/// the chain; the channels scale the work per node (quadratically) without adding nodes or tensors.
/// </summary>
public static class LongNetwork
{
    private const int Side = 32;

    public static byte[] Build(int layers, int channels)
    {
        var b = new ModelBuilder("long-chain");
        int x = b.AddTensor("x", TensorType.Float32, [1, Side, Side, channels]);
        var weights = Enumerable.Range(0, channels * 3 * 3 * channels).Select(i => (i % 7 - 3) * 0.0625f).ToArray();
        int w = b.AddConstant("w", [channels, 3, 3, channels], weights);
        int bias = b.AddConstant("bias", [channels], Enumerable.Range(0, channels).Select(i => (i - 4) * 0.125f).ToArray());
        int current = x;
        for (int layer = 0; layer < layers; layer++)
        {
            int conv = b.AddTensor($"conv{layer}", TensorType.Float32, [1, Side, Side, channels]);
            int logistic = b.AddTensor($"logistic{layer}", TensorType.Float32, [1, Side, Side, channels]);
            b.AddOperator(BuiltinOperator.Conv2D, [current, w, bias], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
            b.AddOperator(BuiltinOperator.Logistic, [conv], [logistic]);
            current = logistic;
        }
        b.AddInput(x);
        b.AddOutput(current);
        return b.Build();
    }

    public static void Feed(Interpreter interpreter)
    {
        int elements = checked((int)interpreter.GetInputTensor(0).ElementCount);
        interpreter.SetInput<float>(0, Enumerable.Range(0, elements).Select(i => (i % 11 - 5) * 0.125f).ToArray());
    }
}
