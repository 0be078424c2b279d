using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The math family's CPU kernels (EXP … COS, POW, LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION) allocate
/// nothing per invoke, inline and on the worker pool; their bit-exactness is the op suite's and the conformance suite's.
/// </summary>
[TestFixture]
public sealed class MathAllocationTests
{
    private static readonly string[] Operators =
        ["EXP", "LOG", "SQRT", "RSQRT", "SIN", "COS", "POW", "LOG_SOFTMAX", "L2_NORMALIZATION", "LOCAL_RESPONSE_NORMALIZATION"];

    private static IEnumerable<TestCaseData> Cases() =>
        Operators.SelectMany(op => new[] { 1, 2 }.Select(threads => new TestCaseData(op, threads)));

    /// <summary>One node on a [1, 16, 16, 33] tensor (large enough for the pool to split it); POW's exponent a constant row.</summary>
    private static byte[] OneNodeModel(string op)
    {
        int[] shape = [1, 16, 16, 33];
        var b = new ModelBuilder($"{op} allocation");
        int x = b.AddTensor("x", TensorType.Float32, shape);
        int y = b.AddTensor("y", TensorType.Float32, shape);
        b.AddInput(x);
        b.AddOutput(y);
        switch (op)
        {
            case "POW":
                int exponent = b.AddConstant("exponent", [33], Enumerable.Range(0, 33).Select(i => 0.5f + i % 3).ToArray());
                b.AddOperator(BuiltinOperator.Pow, [x, exponent], [y]);
                break;
            case "L2_NORMALIZATION":
                b.AddOperator(BuiltinOperator.L2Normalization, [x], [y], new L2NormOptions(ActivationFunctionType.None));
                break;
            case "LOCAL_RESPONSE_NORMALIZATION":
                b.AddOperator(BuiltinOperator.LocalResponseNormalization, [x], [y], new LocalResponseNormalizationOptions(2, 1f, 0.5f, 0.75f));
                break;
            default:
                b.AddOperator(Enum.GetValues<BuiltinOperator>().First(o => o.ToSchemaName() == op), [x], [y]);
                break;
        }
        return b.Build();
    }

    [TestCaseSource(nameof(Cases))]
    public void Invoking_the_kernel_allocates_nothing_after_warm_up(string op, int threads)
    {
        using var model = Model.FromBytes(OneNodeModel(op));
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var random = new Random(3);
        interpreter.SetInput<float>(0, Enumerable.Range(0, 16 * 16 * 33).Select(_ => (float)(random.NextDouble() * 4)).ToArray());
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)", warmUpMilliseconds: 1000);
    }
}
