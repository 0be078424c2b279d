using Accel.Building;

namespace Accel.Testing.Faults;

/// <summary>A three-node float network every backend claims whole, for the shared fault and concurrency tests.</summary>
public static class SmallNetwork
{
    private static readonly float[] InputValues = Enumerable.Range(0, 1 * 6 * 6 * 3).Select(i => (i % 13 - 6) * 0.25f).ToArray();

    /// <summary>x → CONV_2D 3×3 SAME → LOGISTIC → ADD(·, x2) → y: ops every backend claims.</summary>
    public static byte[] Build()
    {
        var b = new ModelBuilder("faults");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int x2 = b.AddTensor("x2", TensorType.Float32, [1, 6, 6, 4]);
        var weights = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => (i % 5 - 2) * 0.125f).ToArray();
        int w = b.AddConstant("w", [4, 3, 3, 3], weights);
        int bias = b.AddConstant("bias", [4], [0.5f, -0.25f, 0f, 1f]);
        int conv = b.AddTensor("conv", TensorType.Float32, [1, 6, 6, 4]);
        int logistic = b.AddTensor("logistic", TensorType.Float32, [1, 6, 6, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Logistic, [conv], [logistic]);
        b.AddOperator(BuiltinOperator.Add, [logistic, x2], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddInput(x2);
        b.AddOutput(y);
        return b.Build();
    }

    public static void Feed(Interpreter interpreter)
    {
        interpreter.SetInput<float>(0, InputValues);
        interpreter.SetInput<float>(1, Enumerable.Range(0, 144).Select(i => i * 0.01f).ToArray());
    }

    public static float[] ReferenceOutput(Model model)
    {
        using var reference = new Interpreter(model);
        reference.AllocateTensors();
        Feed(reference);
        reference.Invoke();
        return reference.Output<float>(0).ToArray();
    }
}
