using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int16 × int16 BATCH_MATMUL on the CPU delegate (Int16BatchMatMulCpuNode): delegated and bit-identical with the
/// reference for every adj_x / adj_y, broadcast batches, a K long enough for |acc| beyond 2^31, and the full int16
/// range (so the clamp and the 64-bit rescale's rounding are hit). The conformance cases compare it too.
/// </summary>
[TestFixture]
public sealed class Int16BatchMatMulCpuTests
{
    private static QuantizationParameters Q(float scale) => new([scale], [0], 0, [], []);

    private static (short[] Output, int Delegated) Run(int[] lhsShape, int[] rhsShape, int[] outShape, bool adjX, bool adjY,
        short[] lhs, short[] rhs, float outputScale, bool cpu)
    {
        var mb = new ModelBuilder("int16 batch matmul");
        int l = mb.AddTensor("lhs", TensorType.Int16, lhsShape, Q(0.001f));
        int r = mb.AddTensor("rhs", TensorType.Int16, rhsShape, Q(0.002f));
        int y = mb.AddTensor("y", TensorType.Int16, outShape, Q(outputScale));
        mb.AddOperator(BuiltinOperator.BatchMatMul, [l, r], [y], new BatchMatMulOptions(adjX, adjY), version: 3);
        mb.AddInput(l);
        mb.AddInput(r);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions { Threads = 2 };
        if (cpu) options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.SetInput<short>(0, lhs);
        interpreter.SetInput<short>(1, rhs);
        interpreter.Invoke();
        return (interpreter.Output<short>(0).ToArray(), interpreter.Plan.DelegatedNodeCount);
    }

    [TestCase(new[] { 1, 37, 19 }, new[] { 1, 19, 23 }, false, false, 0.05f)]
    [TestCase(new[] { 2, 19, 37 }, new[] { 1, 23, 19 }, true, true, 0.05f)]
    [TestCase(new[] { 3, 1, 5, 7 }, new[] { 1, 4, 7, 6 }, false, false, 0.01f)]
    [TestCase(new[] { 1, 9, 3 }, new[] { 1, 5, 3 }, false, true, 0.0001f)]
    [TestCase(new[] { 1, 4, 4099 }, new[] { 1, 4099, 3 }, false, false, 2f)]
    public void Int16BatchMatMul_IsDelegatedAndMatchesTheReference(int[] lhsShape, int[] rhsShape, bool adjX, bool adjY, float outputScale)
    {
        int rank = Math.Max(lhsShape.Length, rhsShape.Length);
        int[] L = Enumerable.Repeat(1, rank - lhsShape.Length).Concat(lhsShape).ToArray();
        int[] R = Enumerable.Repeat(1, rank - rhsShape.Length).Concat(rhsShape).ToArray();
        int m = adjX ? L[^1] : L[^2], n = adjY ? R[^2] : R[^1];
        int[] outShape = Enumerable.Range(0, rank - 2).Select(d => Math.Max(L[d], R[d])).Append(m).Append(n).ToArray();
        var random = new Random(31);
        short[] Values(int[] shape) => Enumerable.Range(0, shape.Aggregate(1, (p, d) => p * d)).Select(_ => (short)random.Next(short.MinValue, short.MaxValue + 1)).ToArray();
        short[] lhs = Values(lhsShape), rhs = Values(rhsShape);
        var (reference, _) = Run(lhsShape, rhsShape, outShape, adjX, adjY, lhs, rhs, outputScale, cpu: false);
        var (delegated, count) = Run(lhsShape, rhsShape, outShape, adjX, adjY, lhs, rhs, outputScale, cpu: true);
        Assert.That(count, Is.EqualTo(1));
        Assert.That(delegated, Is.EqualTo(reference));
    }
}
