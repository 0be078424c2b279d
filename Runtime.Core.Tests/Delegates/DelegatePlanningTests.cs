using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Delegates;

namespace Accel.Tests.Delegates;

[TestFixture]
public sealed class DelegatePlanningTests
{
    /// <summary>x → Twice → t1; x → Negate → t2; Sum2(t1, t2) → y = x.</summary>
    private static byte[] DiamondModel()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int t1 = b.AddTensor("t1", TensorType.Float32, [4]);
        int t2 = b.AddTensor("t2", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddCustomOperator("Twice", [x], [t1], []);
        b.AddCustomOperator("Negate", [x], [t2], []);
        b.AddCustomOperator("Sum2", [t1, t2], [y], []);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>A chain x → Twice → Negate → Twice → Negate → Twice → y (y = 8x with alternating executors).</summary>
    private static byte[] ChainModel()
    {
        var b = new ModelBuilder();
        string[] ops = ["Twice", "Negate", "Twice", "Negate", "Twice"];
        int previous = b.AddTensor("x", TensorType.Float32, [3]);
        b.AddInput(previous);
        for (int i = 0; i < ops.Length; i++)
        {
            int next = b.AddTensor($"t{i}", TensorType.Float32, [3]);
            b.AddCustomOperator(ops[i], [previous], [next], []);
            previous = next;
        }
        b.AddOutput(previous);
        return b.Build();
    }

    private static Interpreter Create(byte[] bytes, out Model model, Action<InterpreterOptions> configure)
    {
        model = Model.FromBytes(bytes);
        var options = new InterpreterOptions { OpResolver = TestOps.Resolver() };
        configure(options);
        return new Interpreter(model, options);
    }

    private static float[] Run(Interpreter interpreter, float[] input)
    {
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        return interpreter.Output<float>(0).ToArray();
    }

    [TestCase(true, TestName = "ProfiledInsidePartitionsAKernelThatTimesItsNodesGivesARowPerNode")]
    [TestCase(false, TestName = "ProfiledInsidePartitionsAKernelThatCannotTimeItsNodesStaysOneStep")]
    public void ProfilingInsidePartitions(bool timesNodes)
    {
        // Twice on the fake, Negate on the reference: partitions {0}, {2}, {4} and reference nodes 1, 3.
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice") { TimesNodes = timesNodes };
        using var interpreter = Create(ChainModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3]), Is.EqualTo(new float[] { 8, 16, 24 }));
        interpreter.SetInput<float>(0, [1, -1, 0.5f]);
        var steps = interpreter.InvokeProfiled(insidePartitions: true);
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 8, -8, 4 }), "a profiled invoke computes the outputs");
        Assert.That(steps.Select(s => (s.Executor, s.Nodes.Single(), s.InsidePartition)), Is.EqualTo(new[]
        {
            ("fake", 0, timesNodes), ("reference", 1, false), ("fake", 2, timesNodes), ("reference", 3, false), ("fake", 4, timesNodes),
        }));
        if (timesNodes) Assert.That(steps.Where(s => s.InsidePartition).Select(s => s.Milliseconds), Is.All.EqualTo(1.0), "the kernel's own timings");
        Assert.That(interpreter.InvokeProfiled().Any(s => s.InsidePartition), Is.False, "InvokeProfiled() times whole partitions");
    }

    [Test]
    public void PartitionsAreMaximalAndTheirGraphAcyclic()
    {
        // 0:A(d) 1:B(ref) 2:C(d, needs A and B) 3:D(d, needs x only) — D joins A's partition; C waits for B.
        var nodes = new[]
        {
            new GraphNode(0, [0], [1]),
            new GraphNode(1, [0], [2]),
            new GraphNode(2, [1, 2], [3]),
            new GraphNode(3, [0], [4]),
        };
        var partitions = Partitioner.Partition(nodes, [1, 0, 1, 1], 5, [0]);
        Assert.That(partitions.Select(p => (p.Executor, string.Join(",", p.Nodes))),
            Is.EqualTo(new[] { (1, "0,3"), (0, "1"), (1, "2") }));
    }

    [Test]
    public void PartitioningIsDeterministic()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = 2 + random.Next(20);
            var nodes = Enumerable.Range(0, n).Select(i => new GraphNode(i, [random.Next(i + 1)], [i + 1])).ToArray();
            var assignment = Enumerable.Range(0, n).Select(_ => random.Next(3)).ToArray();
            var first = Partitioner.Partition(nodes, assignment, n + 1, [0]);
            var second = Partitioner.Partition(nodes, assignment, n + 1, [0]);
            Assert.That(first.Select(p => $"{p.Executor}:{string.Join(",", p.Nodes)}"),
                Is.EqualTo(second.Select(p => $"{p.Executor}:{string.Join(",", p.Nodes)}")));
            // Every node in exactly one partition, each partition single-executor, and a valid execution order.
            Assert.That(first.SelectMany(p => p.Nodes).OrderBy(i => i), Is.EqualTo(Enumerable.Range(0, n)));
            var done = new HashSet<int> { 0 };
            foreach (var p in first)
            {
                Assert.That(p.Nodes.All(i => assignment[i] == p.Executor));
                foreach (int i in p.Nodes)
                {
                    Assert.That(done.Contains(nodes[i].Inputs[0]), $"trial {trial}: node {i} runs before its input");
                    done.Add(i + 1);
                }
            }
        }
    }

    [Test]
    public void HostDelegateRunsItsPartitionsAndTheRestRunsOnTheReference()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, -2, 3.5f, 0]), Is.EqualTo(new float[] { 1, -2, 3.5f, 0 }));
        var plan = interpreter.Plan;
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "fake", "reference", "fake" }));
        Assert.That(plan.Refused.Single().Operator, Is.EqualTo("Negate"));
        Assert.That(plan.Refused.Single().Reason, Does.Contain("not in this fake delegate's list"));
        Assert.That(fake.Invocations, Is.EqualTo(2));
    }

    /// <summary>
    /// 0: a = Twice(x) [delegate], 1: b = Negate(x), 2: c = Negate(b), 3: d = Twice(a) [delegate], 4: y = Sum2(c, d);
    /// y = 5x. The delegate's partition {0, 3} runs before nodes 1 and 2, so d is written before b: by node index d
    /// ([3, 4]) and b ([1, 2]) never live together, but in the order the plan runs they do.
    /// </summary>
    private static byte[] ReorderingModel()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [64]);
        int a = b.AddTensor("a", TensorType.Float32, [64]);
        int bt = b.AddTensor("b", TensorType.Float32, [64]);
        int c = b.AddTensor("c", TensorType.Float32, [64]);
        int d = b.AddTensor("d", TensorType.Float32, [64]);
        int y = b.AddTensor("y", TensorType.Float32, [64]);
        b.AddCustomOperator("Twice", [x], [a], []);
        b.AddCustomOperator("Negate", [x], [bt], []);
        b.AddCustomOperator("Negate", [bt], [c], []);
        b.AddCustomOperator("Twice", [a], [d], []);
        b.AddCustomOperator("Sum2", [c, d], [y], []);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [TestCase(DelegateMemory.Host)]
    [TestCase(DelegateMemory.Device)]
    public void ArenaIsPlannedForTheOrderPartitionsRunInNotForNodeIndices(DelegateMemory memory)
    {
        var fake = new FakeDelegate("fake", memory, "Twice");
        using var interpreter = Create(ReorderingModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(fake));
            o.FallbackToReferenceOnInvokeFailure = true;
        });
        using var _ = model;
        var input = Enumerable.Range(0, 64).Select(i => i - 20.5f).ToArray();
        var expected = input.Select(v => 5 * v).ToArray();
        Assert.That(Run(interpreter, input), Is.EqualTo(expected));
        Assert.That(interpreter.Plan.Partitions.Select(p => $"{p.Executor}:{string.Join(",", p.Nodes)}"),
            Is.EqualTo(new[] { "fake:0,3", "reference:1,2,4" }));

        // The reference fallback runs in the same order, so the same arena stays valid for it.
        fake.FailInvoke = true;
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void DeviceTensorsBetweenPartitionsOfTheSameDelegateStayOnTheDevice()
    {
        var fake = new FakeDelegate("gpu", DelegateMemory.Device, "Twice", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3, 4]), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        var first = fake.Compiled[0];
        var last = fake.Compiled[1];
        Assert.That(first.Outputs.Single().Tensor.Name, Is.EqualTo("t1"));
        Assert.That(first.Outputs.Single().NeededOnHost, Is.False, "t1 is read only by the same delegate");
        Assert.That(last.Inputs.Single(i => i.Tensor.Name == "t1").OnDeviceFromSameDelegate, Is.True);
        Assert.That(last.Inputs.Single(i => i.Tensor.Name == "t2").OnDeviceFromSameDelegate, Is.False);
        Assert.That(last.Outputs.Single().NeededOnHost, Is.True, "graph outputs go to the host");
        Assert.That(first.IsOutput(first.Outputs.Single().Tensor), Is.True);
        Assert.That(first.IsOutput(last.Outputs.Single().Tensor), Is.False);
        Assert.That(last.IsOutput(last.Inputs.Single(i => i.Tensor.Name == "t1").Tensor), Is.False);
    }

    [Test]
    public void ACapabilityTypeSetHoldsExactlyTheTypesNamed()
    {
        var types = DelegateCapabilities.TypeSet(TensorType.Int8, TensorType.Float32, TensorType.Int8);
        Assert.That(types, Is.EquivalentTo(new[] { TensorType.Float32, TensorType.Int8 }));
        Assert.That(types.Contains(TensorType.UInt8), Is.False);
        Assert.That(DelegateCapabilities.TypeSet(), Is.Empty);
    }

    [Test]
    public void FirstDelegateInTheListWinsEachNode()
    {
        var first = new FakeDelegate("first", DelegateMemory.Host, "Twice");
        var second = new FakeDelegate("second", DelegateMemory.Host, "Twice", "Negate", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(first));
            o.Delegates.Add(new DelegateSelection(second));
        });
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3, 4]), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        var executors = interpreter.Plan.Partitions.SelectMany(p => p.Nodes.Select(n => (n, p.Executor))).OrderBy(x => x.n).Select(x => x.Executor);
        Assert.That(executors, Is.EqualTo(new[] { "first", "second", "second" }));
    }

    [Test]
    public void MaxPartitionsKeepsTheLargestAndMinNodesDropsSmallOnes()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice");
        using var interpreter = Create(ChainModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake, MaxPartitions: 2)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, -1]), Is.EqualTo(new float[] { 8, 16, -8 }));
        Assert.That(interpreter.Plan.Partitions.Count(p => p.IsDelegated), Is.EqualTo(2));
        Assert.That(interpreter.Plan.Refused.Where(r => r.Reason.Contains("MaxPartitions")).Select(r => r.Node), Is.EqualTo(new[] { 4 }));

        var strict = new FakeDelegate("fake", DelegateMemory.Host, "Twice");
        using var interpreter2 = Create(ChainModel(), out var model2, o => o.Delegates.Add(new DelegateSelection(strict, MinNodesPerPartition: 2)));
        using var __ = model2;
        Assert.That(Run(interpreter2, [1, 2, -1]), Is.EqualTo(new float[] { 8, 16, -8 }));
        Assert.That(interpreter2.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter2.Plan.Refused.Count(r => r.Reason.Contains("MinNodesPerPartition")), Is.EqualTo(3));
    }

    [Test]
    public void CostAwarePolicyDropsPartitionsWhoseTransfersCostMoreThanTheySave()
    {
        var expensive = new FakeDelegate("gpu", DelegateMemory.Device, "Twice", "Sum2") { TransferSecondsPerByte = 1e-3 };
        using var interpreter = Create(DiamondModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(expensive));
            o.PartitionPolicy = PartitionPolicy.CostAware;
        });
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3, 4]), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Any(r => r.Reason.Contains("cost-aware")));

        var cheap = new FakeDelegate("gpu", DelegateMemory.Device, "Twice", "Sum2") { SecondsPerNode = 0 };
        using var interpreter2 = Create(DiamondModel(), out var model2, o =>
        {
            o.Delegates.Add(new DelegateSelection(cheap));
            o.PartitionPolicy = PartitionPolicy.CostAware;
        });
        using var __ = model2;
        Run(interpreter2, [1, 2, 3, 4]);
        Assert.That(interpreter2.Plan.DelegatedNodeCount, Is.EqualTo(2));
    }

    /// <summary>Byte ranges [offset, offset + size) in the arena, relative to <paramref name="origin"/>'s data.</summary>
    private static (long Begin, long End) Range(Tensor origin, Tensor tensor)
    {
        long begin = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(origin.Bytes), ref MemoryMarshal.GetReference(tensor.Bytes));
        return (begin, begin + tensor.ByteSize);
    }

    private static bool Overlap(Tensor origin, Tensor a, Tensor b)
    {
        var (a0, a1) = Range(origin, a);
        var (b0, b1) = Range(origin, b);
        return a0 < b1 && b0 < a1;
    }

    [Test]
    public void ALaterReadKeepsTheTensorAliveInTheArenaUntilItsNode()
    {
        // The chain's t0 is last read by node 1 in the graph; said to be read again while node 3 runs, it must not
        // share memory with anything written before node 3 has run (t1, t2, t3).
        Tensor[] Chain(FakeDelegate fake)
        {
            var partition = fake.Compiled.Single();
            return partition.Nodes.Select(n => n.Outputs[0]).ToArray();
        }
        var plain = new FakeDelegate("plain", DelegateMemory.Host, "Twice", "Negate");
        using (var interpreter = Create(ChainModel(), out var model, o => o.Delegates.Add(new DelegateSelection(plain))))
        using (model)
        {
            Assert.That(Run(interpreter, [1, 2, 3]), Is.EqualTo(new float[] { 8, 16, 24 }));
            var t = Chain(plain);
            Assert.That(Overlap(t[0], t[0], t[2]), Is.True, "without the later read, t2 takes t0's place (what the test guards against)");
        }
        var later = new FakeDelegate("later", DelegateMemory.Host, "Twice", "Negate")
        {
            LaterReadsOf = p => [new LaterRead(p.Nodes[0].Outputs[0], p.Nodes[3])],
        };
        using (var interpreter = Create(ChainModel(), out var model, o => o.Delegates.Add(new DelegateSelection(later))))
        using (model)
        {
            Assert.That(Run(interpreter, [1, 2, 3]), Is.EqualTo(new float[] { 8, 16, 24 }));
            var t = Chain(later);
            foreach (int k in new[] { 1, 2, 3 })
                Assert.That(Overlap(t[0], t[0], t[k]), Is.False, $"t0 and t{k}");
        }
    }

    [Test]
    public void LaterReadsThatThrowGiveThePartitionsNodesBack()
    {
        var broken = new FakeDelegate("broken", DelegateMemory.Host, "Twice", "Negate")
        {
            LaterReadsOf = _ => throw new InvalidOperationException("simulated later-read failure"),
        };
        var (messages, executors) = RunChainDiagnosed(broken);
        Assert.That(messages, Has.Some.Contains("failed to name the later reads").And.Some.Contains("simulated later-read failure"));
        Assert.That(executors, Is.All.EqualTo("reference"));
    }

    [Test]
    public void ALaterReadAtANodeOutsideThePartitionGivesThePartitionsNodesBack()
    {
        // Claiming only Twice splits the chain into partitions {0}, {2}, {4}; each names node 0 as where it reads.
        DelegateNode? first = null;
        var broken = new FakeDelegate("broken", DelegateMemory.Host, "Twice")
        {
            LaterReadsOf = p =>
            {
                first ??= p.Nodes[0];
                return [new LaterRead(p.Nodes[0].Outputs[0], first)];
            },
        };
        var (messages, executors) = RunChainDiagnosed(broken);
        Assert.That(messages, Has.Some.Contains("failed to name the later reads").And.Some.Contains("not in the partition"));
        Assert.That(executors, Is.EqualTo(new[] { "broken", "reference", "reference", "reference", "reference" }));
    }

    /// <summary>Runs the chain model with <paramref name="fake"/> (checking y = 8x); returns the diagnostics and each node's executor.</summary>
    private static (List<string> Messages, string[] Executors) RunChainDiagnosed(FakeDelegate fake)
    {
        var messages = new List<string>();
        using var interpreter = Create(ChainModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(fake));
            o.DiagnosticSink = messages.Add;
        });
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3]), Is.EqualTo(new float[] { 8, 16, 24 }));
        var executors = interpreter.Plan.Partitions.SelectMany(p => p.Nodes.Select(n => (n, p.Executor))).OrderBy(x => x.n).Select(x => x.Executor);
        return (messages, executors.ToArray());
    }

    [Test]
    public void CompileFailureGivesNodesBackToTheNextDelegateWithADiagnostic()
    {
        var broken = new FakeDelegate("broken", DelegateMemory.Host, "Twice", "Sum2") { FailCompile = true };
        var backup = new FakeDelegate("backup", DelegateMemory.Host, "Twice");
        var messages = new List<string>();
        using var interpreter = Create(DiamondModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(broken));
            o.Delegates.Add(new DelegateSelection(backup));
            o.DiagnosticSink = messages.Add;
        });
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3, 4]), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(messages, Has.Some.Contains("failed to compile").And.Some.Contains("simulated compile failure"));
        var executors = interpreter.Plan.Partitions.SelectMany(p => p.Nodes.Select(n => (n, p.Executor))).OrderBy(x => x.n).Select(x => x.Executor);
        Assert.That(executors, Is.EqualTo(new[] { "backup", "reference", "reference" }));
    }

    [Test]
    public void InvokeFailureThrowsATypedErrorNamingTheDelegate()
    {
        var fake = new FakeDelegate("flaky", DelegateMemory.Device, "Twice", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        Run(interpreter, [1, 2, 3, 4]);
        fake.FailInvoke = true;
        var e = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
        Assert.That(e.DelegateName, Is.EqualTo("flaky"));
        Assert.That(e.FirstNode, Is.Zero);
        Assert.That(e.Message, Does.Contain("simulated device lost"));
    }

    [Test]
    public void InvokeFailureFallsBackToTheReferenceWhenEnabled()
    {
        var fake = new FakeDelegate("flaky", DelegateMemory.Device, "Twice", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o =>
        {
            o.Delegates.Add(new DelegateSelection(fake));
            o.FallbackToReferenceOnInvokeFailure = true;
        });
        using var _ = model;
        interpreter.AllocateTensors();
        fake.FailInvoke = true;
        interpreter.SetInput<float>(0, [5, 6, 7, 8]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 5, 6, 7, 8 }));
        Assert.That(interpreter.FellBackToReference, Is.True);
        Assert.That(interpreter.Diagnostics, Has.Some.Contains("falling back"));
    }

    [Test]
    public void UnavailableDelegateClaimsNothingAndSaysWhy()
    {
        var missing = new FakeDelegate("vulkan", DelegateMemory.Device, "Twice") { UnavailableReason = "no Vulkan loader" };
        using var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(missing)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3, 4]), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Diagnostics, Has.Some.Contains("unavailable: no Vulkan loader"));
    }

    [Test]
    public void AlternatingExecutorsGiveOnePartitionPerRun()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice");
        using var interpreter = Create(ChainModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        Assert.That(Run(interpreter, [1, 2, 3]), Is.EqualTo(new float[] { 8, 16, 24 }));
        Assert.That(interpreter.Plan.Partitions.Select(p => p.Executor),
            Is.EqualTo(new[] { "fake", "reference", "fake", "reference", "fake" }));
        Assert.That(fake.Invocations, Is.EqualTo(3));
    }

    [Test]
    public void PlanRendersAsGraphvizDot()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice", "Sum2");
        using var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        using var _ = model;
        interpreter.AllocateTensors();
        string dot = interpreter.Graph.ToDot(interpreter.Plan);
        Assert.That(dot, Does.StartWith("digraph accel_plan {"));
        Assert.That(dot, Does.Contain("cluster_0").And.Contain("partition 1: reference").And.Contain("n0 -> n2;").And.Contain("n1 -> n2;"));
    }

    [Test]
    public void InterpreterDisposesItsDelegates()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice");
        var interpreter = Create(DiamondModel(), out var model, o => o.Delegates.Add(new DelegateSelection(fake)));
        interpreter.AllocateTensors();
        interpreter.Dispose();
        model.Dispose();
        Assert.That(fake.Disposed, Is.EqualTo(1));
    }
}
