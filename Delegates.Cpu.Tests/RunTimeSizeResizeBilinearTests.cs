using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// RESIZE_BILINEAR whose size is a graph input (known only at Invoke), float32, int8 and uint8: the CPU delegate's node
/// resolves the params at Invoke (the definition's checks, the dynamic output resized), compiles for them and runs
/// bit-exact with the reference through changing sizes; a bad size — a non-positive one, or an integer one whose Q10
/// step drifts past the input's last row — is the reference's error; a steady size allocates nothing per Invoke.
/// </summary>
[TestFixture]
public sealed class RunTimeSizeResizeBilinearTests
{
    private static readonly int[] Input = [2, 5, 7, 3];

    /// <summary>size (int32 [2], graph input 0), x ([2,5,7,3], graph input 1) → RESIZE_BILINEAR → output.</summary>
    private static byte[] BuildModel(TensorType type, bool halfPixelCenters)
    {
        var mb = new ModelBuilder($"{type} run-time size RESIZE_BILINEAR");
        QuantizationParameters? q = type == TensorType.Float32 ? null
            : new QuantizationParameters([0.05f], [type == TensorType.UInt8 ? 131 : type == TensorType.Int16 ? 0 : -3], 0, [], []);
        int size = mb.AddTensor("size", TensorType.Int32, [2]);
        int x = q is null ? mb.AddTensor("x", type, Input) : mb.AddTensor("x", type, Input, q);
        int[] initial = [2, 10, 14, 3];
        int y = q is null ? mb.AddTensor("y", type, initial) : mb.AddTensor("y", type, initial, q);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, size], [y], new ResizeBilinearOptions(false, halfPixelCenters),
            version: halfPixelCenters ? 3 : type == TensorType.Float32 ? 1 : 2);
        mb.AddInput(size);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static byte[][] Inputs(TensorType type, int[] size)
    {
        var random = new Random(17);
        int count = Input.Aggregate(1, (a, d) => a * d);
        byte[] image = type == TensorType.Float32
            ? Enumerable.Range(0, count).SelectMany(_ => BitConverter.GetBytes((float)(random.NextDouble() * 6 - 3))).ToArray()
            : Enumerable.Range(0, count).Select(_ => (byte)random.Next(256)).ToArray();
        return [size.SelectMany(BitConverter.GetBytes).ToArray(), image];
    }

    private static Interpreter OnCpu(Model model, int threads)
    {
        var interpreter = CpuInterpreter.Create(model, threads);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [TestCase(TensorType.Float32, false)]
    [TestCase(TensorType.Float32, true)]
    [TestCase(TensorType.Int8, false)]
    [TestCase(TensorType.Int8, true)]
    [TestCase(TensorType.UInt8, false)]
    public void Run_time_size_is_delegated_and_bit_exact_through_resizes(TensorType type, bool halfPixelCenters)
    {
        using var model = Model.FromBytes(BuildModel(type, halfPixelCenters));
        using var reference = InvokeErrorHarness.Create(model, null);
        using var cpu = OnCpu(model, threads: 2);
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.EqualTo(1), string.Join("; ", cpu.Plan.Refused.Select(r => r.Reason)));
        // 10×14 up, 3×4 down (twice: compiled once), 40 rows, then 10×14 again.
        foreach (var size in new[] { new[] { 10, 14 }, [3, 4], [3, 4], [40, 9], [10, 14] })
        {
            var expected = InvokeErrorHarness.Run(reference, Inputs(type, size));
            var actual = InvokeErrorHarness.Run(cpu, Inputs(type, size));
            Assert.That(cpu.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 2, size[0], size[1], 3 }));
            Assert.That(actual, Is.EqualTo(expected), $"{type} size [{size[0]},{size[1]}]");
        }
        Assert.That(cpu.FellBackToReference, Is.False);
    }

    [Test]
    public void Int16_run_time_size_stays_on_the_reference_with_the_reason()
    {
        using var model = Model.FromBytes(BuildModel(TensorType.Int16, halfPixelCenters: false));
        using var cpu = OnCpu(model, threads: 1);
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.EqualTo(0));
        Assert.That(cpu.Plan.Refused.Single().Reason, Does.Contain("int16 RESIZE_BILINEAR with a run-time size runs on the reference"));
    }

    [TestCase(TensorType.Float32)]
    [TestCase(TensorType.Int8)]
    public void Invalid_run_time_size_fails_like_the_reference(TensorType type)
    {
        using var model = Model.FromBytes(BuildModel(type, halfPixelCenters: false));
        InvokeErrorHarness.AssertFailsLikeTheReference(model, () => new CpuDelegate(), Inputs(type, [10, 14]), Inputs(type, [0, 4]),
            "RESIZE_BILINEAR", "must be positive", $"{type} run-time size");
    }

    [TestCase(TensorType.Int8)]
    [TestCase(TensorType.UInt8)]
    public void Integer_size_whose_source_rows_leave_the_input_fails_like_the_reference(TensorType type)
    {
        // 5 rows to 200: the Q10 step (2^10·5 + 100) / 200 = 26 puts output row 197's lower neighbour at row 5, where
        // TFLite's integer kernel reads outside the input; 5 rows to 300 (step 17) stays inside.
        using var model = Model.FromBytes(BuildModel(type, halfPixelCenters: false));
        InvokeErrorHarness.AssertFailsLikeTheReference(model, () => new CpuDelegate(), Inputs(type, [300, 9]), Inputs(type, [200, 9]),
            "RESIZE_BILINEAR", "past input 'x''s 5", $"{type} run-time size");
    }

    [TestCase(TensorType.Float32)]
    [TestCase(TensorType.UInt8)]
    public void Steady_run_time_size_allocates_nothing_per_invoke(TensorType type)
    {
        using var model = Model.FromBytes(BuildModel(type, halfPixelCenters: false));
        using var cpu = OnCpu(model, threads: 2);
        InvokeErrorHarness.Run(cpu, Inputs(type, [3, 4]));
        InvokeErrorHarness.Run(cpu, Inputs(type, [10, 14]));
        InvokeAllocation.AssertNoneAfterWarmUp(cpu, $"{type} run-time size, 2 threads");
    }
}
