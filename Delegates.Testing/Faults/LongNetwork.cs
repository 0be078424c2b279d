using Accel.Building;

namespace Accel.Testing.Faults;

/// <summary>
/// A long chain every backend claims whole (one partition): <c>layers</c> × (CONV_2D 3×3 SAME → LOGISTIC) on a
/// 1×32×32×8 tensor, for the shared cancellation tests. LOGISTIC keeps every value in (0, 1), however long the chain.
/// </summary>
public static class LongNetwork
{
    private const int Side = 32, Channels = 8;
    private static readonly float[] InputValues = Enumerable.Range(0, Side * Side * Channels).Select(i => (i % 11 - 5) * 0.125f).ToArray();

    public static byte[] Build(int layers)
    {
        var b = new ModelBuilder("long-chain");
        int x = b.AddTensor("x", TensorType.Float32, [1, Side, Side, Channels]);
        var weights = Enumerable.Range(0, Channels * 3 * 3 * Channels).Select(i => (i % 7 - 3) * 0.0625f).ToArray();
        int w = b.AddConstant("w", [Channels, 3, 3, Channels], weights);
        int bias = b.AddConstant("bias", [Channels], Enumerable.Range(0, Channels).Select(i => (i - 4) * 0.125f).ToArray());
        int current = x;
        for (int layer = 0; layer < layers; layer++)
        {
            int conv = b.AddTensor($"conv{layer}", TensorType.Float32, [1, Side, Side, Channels]);
            int logistic = b.AddTensor($"logistic{layer}", TensorType.Float32, [1, Side, Side, Channels]);
            b.AddOperator(BuiltinOperator.Conv2D, [current, w, bias], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
            b.AddOperator(BuiltinOperator.Logistic, [conv], [logistic]);
            current = logistic;
        }
        b.AddInput(x);
        b.AddOutput(current);
        return b.Build();
    }

    public static void Feed(Interpreter interpreter) => interpreter.SetInput<float>(0, InputValues);

    public static float[] ReferenceOutput(Model model)
    {
        using var reference = new Interpreter(model);
        reference.AllocateTensors();
        Feed(reference);
        reference.Invoke();
        return reference.Output<float>(0).ToArray();
    }
}
