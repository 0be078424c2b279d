using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// The fuzzer's findings on the optimizer's inputs (docs/fuzzing.md): models Accel's loader accepts but that are
/// inconsistent, which once failed inside the rewrite with InvalidOperationException or ModelBuilder's
/// ArgumentException. They are now refused up front with a typed error naming what is wrong.
/// </summary>
public sealed class MalformedModelTests
{
    private static readonly QuantizationOptions Int8 = new() { MeasureLatency = false };

    /// <summary>
    /// x [1,4] → FULLY_CONNECTED (bias = DEQUANTIZE of a float16 constant of <paramref name="biasElements"/> values,
    /// declared [2]) → y [1,2].
    /// </summary>
    private static byte[] FullyConnectedWithFloat16Bias(int biasElements)
    {
        var b = new ModelBuilder("fp16 bias");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int w = b.AddConstant("w", [2, 4], [1f, -1f, 0f, 0f, 0f, 0f, 1f, -1f]);
        var half = new Half[biasElements];
        int bias16 = b.AddConstant("b_fp16", TensorType.Float16, [biasElements], System.Runtime.InteropServices.MemoryMarshal.AsBytes(half.AsSpan()));
        int bias = b.AddTensor("b", TensorType.Float32, [2]);
        b.AddOperator(BuiltinOperator.Dequantize, [bias16], [bias]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bias], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void ADequantizedWeightWhoseSizeDisagreesWithItsTensorIsRefusedByAccelsOwnCheckBeforeTheRewrite()
    {
        // A float16 [256] constant decoded into a float32 [2] tensor: the weight fold once copied 1,024 bytes into
        // it and ModelBuilder threw ArgumentException while writing the calibration model.
        using var model = Model.FromBytes(FullyConnectedWithFloat16Bias(256));
        var sample = new CalibrationSample([TestModels.FullyConnectedInput], "x");
        var quantize = Assert.Throws(Is.InstanceOf<AccelException>(), () => ModelOptimizer.Quantize(model, Int8, [sample]))!;
        Assert.That(quantize, Is.Not.InstanceOf<ArgumentException>());
        Assert.That(quantize.Message, Does.Contain("bias 'b'"));
        Assert.Throws(Is.InstanceOf<AccelException>(), () => ModelOptimizer.Prune(model, new PruningOptions { MeasureLatency = false }));

        using var consistent = Model.FromBytes(FullyConnectedWithFloat16Bias(2));
        Assert.That(ModelOptimizer.Quantize(consistent, Int8, [sample]).Model, Is.Not.Empty, "the same model with a matching size quantizes");
    }

    [Test]
    public void ADecodedWeightDeclaredWithAnotherElementCountIsATypedRefusalNotABuilderError()
    {
        // DEQUANTIZE's output takes its input's shape at run time, so Accel runs this model; the weight fold once
        // wrote the 2 decoded values into the declared [5] tensor and ModelBuilder threw ArgumentException.
        var b = new ModelBuilder("declared shape");
        int x = b.AddTensor("x", TensorType.Float32, [2]);
        var half = new[] { (Half)0.5f, (Half)(-1f) };
        int k16 = b.AddConstant("k_fp16", TensorType.Float16, [2], System.Runtime.InteropServices.MemoryMarshal.AsBytes(half.AsSpan()));
        int k = b.AddTensor("k", TensorType.Float32, [5]);
        b.AddOperator(BuiltinOperator.Dequantize, [k16], [k]);
        int y = b.AddTensor("y", TensorType.Float32, [2]);
        b.AddOperator(BuiltinOperator.Add, [x, k], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var sample = new CalibrationSample([[1f, 2f]], "x");
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8, [sample]))!;
        Assert.That(e.Message, Does.Contain("'k_fp16' [2] into 'k' [5]").And.Contain("element counts differ"));
        Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, new PruningOptions { MeasureLatency = false }));
    }

    [Test]
    public void ASampleThatDoesNotFitAHugeInputIsRefusedBeforeTheModelIsAllocated()
    {
        // A mutant of the L2_POOL_2D case with a [1,1,1,348573524] input (1.3 GiB): the model was allocated first
        // (past the fuzzer's time limit on a loaded machine) and the one-value sample refused only then.
        var b = new ModelBuilder("huge input");
        int x = b.AddTensor("input", TensorType.Float32, [1, 1, 1, 348573524]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 1, 1, 348573524]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var sample = new CalibrationSample([[1f]], "one value");
        var before = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, new PruningOptions { MeasureLatency = false }, [sample]))!;
        Assert.That(e.Message, Does.Contain("'input' [1,1,1,348573524] needs 348573524"));
        Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8, [sample]));
        Assert.That(before.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "nothing of the input's size was allocated");
    }

    [Test]
    public void AModelWhoseActivationsNeedMoreThanTheOptimizersMemoryLimitIsRefusedBeforeTheyAreAllocated()
    {
        // Fuzzer run Y: a mutant of selfie_segmentation whose output became [1,256,4161792,1] planned a 7.9 GiB arena,
        // under InterpreterOptions' 8 GiB default; the optimizer ran three interpreters of it at once and the process
        // was killed for memory. Its interpreters now run under QuantizationOptions / PruningOptions.MaxMemoryBytes
        // (2 GiB by default): three 1.2 GB tensors are refused at planning, before anything is allocated.
        const int elements = 300_000_000;
        var b = new ModelBuilder("large activations");
        int x1 = b.AddTensor("x1", TensorType.Float32, [1, 1, 1, elements]);
        int x2 = b.AddTensor("x2", TensorType.Float32, [1, 1, 1, elements]);
        int y = b.AddTensor("sum", TensorType.Float32, [1, 1, 1, elements]);
        b.AddOperator(BuiltinOperator.Add, [x1, x2], [y]);
        b.AddInput(x1);
        b.AddInput(x2);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var quantize = Assert.Throws(Is.InstanceOf<AccelException>(),
            () => ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MeasureLatency = false }, null))!;
        Assert.That(quantize.Message, Does.Contain("MaxMemoryBytes = 2147483648"));
        var prune = Assert.Throws(Is.InstanceOf<AccelException>(), () => ModelOptimizer.Prune(model, new PruningOptions { MeasureLatency = false }))!;
        Assert.That(prune.Message, Does.Contain("MaxMemoryBytes = 2147483648"));
    }

    [Test]
    public void TheOptimizersMemoryLimitIsTheOptionsAndAModelWithinItIsOptimized()
    {
        var b = new ModelBuilder("small activations");
        int x = b.AddTensor("x", TensorType.Float32, [1, 64, 64, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 64, 64, 4]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var tight = new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false, MaxMemoryBytes = 4096 };
        var e = Assert.Throws(Is.InstanceOf<AccelException>(), () => ModelOptimizer.Quantize(model, tight, null))!;
        Assert.That(e.Message, Does.Contain("InterpreterOptions.MaxMemoryBytes = 4,096"));
        Assert.Throws(Is.InstanceOf<AccelException>(), () => ModelOptimizer.Prune(model, new PruningOptions { MeasureLatency = false, MaxMemoryBytes = 4096 }));
        Assert.That(ModelOptimizer.Quantize(model, tight with { MaxMemoryBytes = 1 << 20 }, null).Model, Is.Not.Empty);
        Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, tight with { MaxMemoryBytes = 0 }, null));
    }

    [Test]
    public void AnInt8InterfaceOutputComputedFromConstantsOnlyIsATypedRefusalNamingIt()
    {
        // y = RELU(x) and, as a second output, 'dense' = DENSIFY of a sparse constant (the DENSIFY conformance
        // case's graph): the weight fold makes it a constant that calibration (which watches what the inputs reach)
        // has no range for, and an int8 interface needs one; the quantizer once threw InvalidOperationException.
        var b = new ModelBuilder("constant output");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        var (sparsity, bytes) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [1, 4], [0f, 2f, 0f, 4f]);
        int sparse = b.AddSparseConstant("sparse", TensorType.Float32, [1, 4], sparsity, bytes);
        int dense = b.AddTensor("dense", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.Densify, [sparse], [dense]);
        b.AddInput(x);
        b.AddOutput(y);
        b.AddOutput(dense);
        using var model = Model.FromBytes(b.Build());
        var e = Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, Int8 with { Interface = IntegerInterface.Int8 }, [new CalibrationSample([TestModels.FullyConnectedInput], "x")]))!;
        Assert.That(e.Message, Does.Contain("Tensor 'dense'").And.Contain("computed from constants only"));
    }
}
