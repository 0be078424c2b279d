using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

[TestFixture]
public sealed class CpuDelegateContractTests
{
    [Test]
    public void DeclaresHostMemoryFloat32AndIsAvailable()
    {
        using var cpu = new CpuDelegate();
        Assert.That(cpu.Name, Is.EqualTo("cpu"));
        Assert.That(cpu.UnavailableReason, Is.Null);
        Assert.That(cpu.Capabilities.Memory, Is.EqualTo(DelegateMemory.Host));
        Assert.That(cpu.Capabilities.DataTypes, Does.Contain(TensorType.Float32));
        // The typed element-wise kernels (ABS … GREATER_EQUAL) also run int32, int64 and bool tensors.
        Assert.That(cpu.Capabilities.DataTypes, Is.SupersetOf(new[] { TensorType.Int32, TensorType.Int64, TensorType.Bool }));
        Assert.That(CpuDelegate.VectorPath, Is.Not.Empty);
    }

    [Test]
    public void KernelCatalogListsEveryCpuKernelForFloat32AndRefusesOtherDtypesAndOperatorsWithAReason()
    {
        using var cpu = new CpuDelegate();
        IAccelDelegate asDelegate = cpu;
        Assert.That(asDelegate.Kernels, Is.SameAs(cpu.Kernels));
        OpId[] ops =
        [
            BuiltinOperator.Relu, BuiltinOperator.Relu6,
            BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D,
            BuiltinOperator.ResizeBilinear, BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D,
            BuiltinOperator.FullyConnected, OpId.OfCustom(CustomOps.Convolution2DTransposeBias),
        ];
        foreach (var op in ops)
        {
            Assert.That(cpu.Kernels.Covers(op, TensorType.Float32).IsSupported, op.Name);
            var int32 = cpu.Kernels.Covers(op, TensorType.Int32);
            Assert.That(int32.IsSupported, Is.False, op.Name);
            Assert.That(int32.Reason, Does.Contain("float32").And.Contain(op.Name));
        }
        // The data-movement kernels move bytes: every dtype their definitions declare.
        foreach (var op in new OpId[] { BuiltinOperator.Reshape, BuiltinOperator.Concatenation, BuiltinOperator.Pad,
                     BuiltinOperator.DepthToSpace, BuiltinOperator.SpaceToDepth })
            foreach (var type in OpDefinitions.Get(op).Types)
                Assert.That(cpu.Kernels.Covers(op, type).IsSupported, $"{op.Name} {type}");
        // MEAN runs every dtype its definition declares (float32, the exact integer sums of int32/int64, int8/uint8 and
        // int16 requantized).
        foreach (var type in OpDefinitions.Get(BuiltinOperator.Mean).Types)
            Assert.That(cpu.Kernels.Covers(BuiltinOperator.Mean, type).IsSupported, $"MEAN {type}");
        // int16 LOGISTIC and TANH run here as 65,536-entry tables the reference fills, int16x8 SOFTMAX with one for its
        // exponentials; int16 HARD_SWISH is not declared by its definition, so the catalog refuses it with the reason.
        foreach (var op in new OpId[] { BuiltinOperator.Logistic, BuiltinOperator.Tanh, BuiltinOperator.Softmax })
            Assert.That(cpu.Kernels.Covers(op, TensorType.Int16).IsSupported, $"{op.Name} int16");
        var hardSwish = cpu.Kernels.Covers(BuiltinOperator.HardSwish, TensorType.Int16);
        Assert.That(hardSwish.IsSupported, Is.False, "HARD_SWISH int16");
        Assert.That(hardSwish.Reason, Does.Contain("int16").And.Contain("HARD_SWISH"));
        var dequantize = cpu.Kernels.Covers(BuiltinOperator.Dequantize, TensorType.Float16);
        Assert.That(dequantize.IsSupported, Is.False);
        Assert.That(dequantize.Reason, Does.Contain("the cpu kernel of DEQUANTIZE runs int8, uint8, int16, not float16"));
    }

    [Test]
    public void KernelCatalogCoversEveryDeclaredDtypeOfTheTypedElementwiseOperators()
    {
        using var cpu = new CpuDelegate();
        TensorType f32 = TensorType.Float32, i32 = TensorType.Int32, i64 = TensorType.Int64, b = TensorType.Bool;
        var expected = new (BuiltinOperator Op, TensorType[] Types)[]
        {
            (BuiltinOperator.Abs, [f32, i32]), (BuiltinOperator.Neg, [f32, i32, i64]), (BuiltinOperator.Floor, [f32]),
            (BuiltinOperator.Ceil, [f32]), (BuiltinOperator.Round, [f32]), (BuiltinOperator.Sign, [f32, i32]),
            (BuiltinOperator.Square, [f32]), (BuiltinOperator.LogicalNot, [b]), (BuiltinOperator.Maximum, [f32, i32, i64]),
            (BuiltinOperator.Minimum, [f32, i32, i64]), (BuiltinOperator.SquaredDifference, [f32, i32]),
            (BuiltinOperator.LogicalAnd, [b]), (BuiltinOperator.LogicalOr, [b]), (BuiltinOperator.Equal, [f32, i32, i64, b]),
            (BuiltinOperator.NotEqual, [f32, i32, i64, b]), (BuiltinOperator.Less, [f32, i32, i64]),
            (BuiltinOperator.LessEqual, [f32, i32, i64]), (BuiltinOperator.Greater, [f32, i32, i64]),
            (BuiltinOperator.GreaterEqual, [f32, i32, i64]), (BuiltinOperator.Add, [f32, i32]), (BuiltinOperator.Sub, [f32, i32]),
            (BuiltinOperator.Mul, [f32, i32]), (BuiltinOperator.Div, [f32, i32]), (BuiltinOperator.FloorDiv, [f32, i32]),
            (BuiltinOperator.FloorMod, [f32, i32, i64]), (BuiltinOperator.AddN, [f32, i32]), (BuiltinOperator.Pow, [f32, i32]),
        };
        foreach (var (op, types) in expected)
        {
            // Every dtype the definition declares runs on the CPU delegate; the quantized int8/uint8 of ADD/SUB/MUL and
            // MAXIMUM/MINIMUM run on its integer kernels, the other operators here refuse it with the reason.
            // int16x8 ADD/SUB/MUL run on the integer lanes of Int16BinaryCpuNode. int16 MAXIMUM/MINIMUM
            // compare stored integers, which the CPU's lane kernels do; int16 ABS runs (a table), int16 DIV the reference's
            // per-element quotient. SQUARED_DIFFERENCE, ABS,
            // DIV and the comparisons run int8 by tables of the reference's formulas.
            Assert.That(OpDefinitions.Get(op).Types.Except([TensorType.Int8, TensorType.UInt8, TensorType.Int16]), Is.EquivalentTo(types), op.ToString());
            var int16 = cpu.Kernels.Covers(op, TensorType.Int16);
            bool int16Runs = op is BuiltinOperator.Maximum or BuiltinOperator.Minimum or BuiltinOperator.Abs or BuiltinOperator.Div
                or BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul;
            Assert.That(int16.IsSupported, Is.EqualTo(int16Runs), $"{op} int16");
            if (!int16Runs) Assert.That(int16.Reason, Does.Contain("int16"), $"{op} int16");
            foreach (var type in types) Assert.That(cpu.Kernels.Covers(op, type).IsSupported, $"{op} {type}");
            var int8 = cpu.Kernels.Covers(op, TensorType.Int8);
            bool quantizedArithmetic = op is BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul or BuiltinOperator.Maximum
                or BuiltinOperator.Minimum or BuiltinOperator.SquaredDifference or BuiltinOperator.Abs or BuiltinOperator.Equal
                or BuiltinOperator.NotEqual or BuiltinOperator.Less or BuiltinOperator.LessEqual or BuiltinOperator.Greater or BuiltinOperator.GreaterEqual
                or BuiltinOperator.Div;
            Assert.That(int8.IsSupported, Is.EqualTo(quantizedArithmetic), op.ToString());
            if (!quantizedArithmetic) Assert.That(int8.Reason, Does.Contain(((OpId)op).Name).And.Contain("int8"));
        }
    }

    [Test]
    public void SupportsJudgesANodeByItsInputsDtypeNotAComparisonsBoolOutput()
    {
        // LESS float32 → bool and LOGICAL_NOT bool → bool are claimed; DEQUANTIZE of a float16 input (the CPU kernel
        // dequantizes int8 and uint8) is refused, the reason naming its input.
        var mb = new Accel.Building.ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [5]);
        int y = mb.AddTensor("y", TensorType.Float32, [5]);
        int less = mb.AddTensor("less", TensorType.Bool, [5]);
        int not = mb.AddTensor("not", TensorType.Bool, [5]);
        int h = mb.AddTensor("h", TensorType.Float16, [4]);
        int moved = mb.AddTensor("moved", TensorType.Float32, [4]);
        mb.AddOperator(BuiltinOperator.Less, [x, y], [less]);
        mb.AddOperator(BuiltinOperator.LogicalNot, [less], [not]);
        mb.AddOperator(BuiltinOperator.Dequantize, [h], [moved]);
        foreach (int t in new[] { x, y, h }) mb.AddInput(t);
        mb.AddOutput(not);
        mb.AddOutput(moved);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(2));
        var refused = interpreter.Plan.Refused.Single();
        Assert.That(refused.Operator, Does.Contain("DEQUANTIZE"));
        Assert.That(refused.Reason, Does.Contain("input 'h' is float16").And.Contain("runs int8, uint8"));
    }

    [Test]
    public void ThreadPoolCoversTheRangeExactlyOnce()
    {
        using var pool = new CpuThreadPool(2);
        var hits = new int[1000];
        for (int round = 0; round < 20; round++)
            pool.For(hits.Length, hits, static (in int[] h, int start, int end) =>
            {
                for (int i = start; i < end; i++) Interlocked.Increment(ref h[i]);
            });
        Assert.That(hits.All(h => h == 20));
    }

    [Test]
    public void ThreadPoolForAllocatesNothingAfterWarmUp()
    {
        using var pool = new CpuThreadPool(2);
        var data = new float[256];
        CpuThreadPool.ChunkAction<float[]> fill = static (in float[] d, int start, int end) =>
        {
            for (int i = start; i < end; i++) d[i] = i;
        };
        pool.For(data.Length, data, fill);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) pool.For(data.Length, data, fill);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(data[255], Is.EqualTo(255));
    }
}
