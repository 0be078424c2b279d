using Accel.Building;

namespace Accel.Tests.Runtime;

/// <summary>Declared limits: a model that asks for more than the options allow gets a typed error naming the limit and what asked.</summary>
[TestFixture]
public sealed class ResourceLimitTests
{
    /// <summary>x [shape] → CONV_2D (filter a graph input, so nothing is stored) → y.</summary>
    private static byte[] ConvModel(int size, int channels, int kernel)
    {
        var b = new ModelBuilder("limits");
        int x = b.AddTensor("x", TensorType.Float32, [1, size, size, channels]);
        int w = b.AddTensor("w", TensorType.Float32, [channels, kernel, kernel, channels]);
        int y = b.AddTensor("y", TensorType.Float32, [1, size, size, channels]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddInput(w);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void AConvolutionImplyingTenToTheFifteenMacsIsRefusedAtAllocateTensorsByDefault()
    {
        // 1024×1024×1024 outputs × 31×31×1024 taps ≈ 1.07e15 MACs; every tensor is within MaxTensorBytes (4 GiB).
        using var model = Model.FromBytes(ConvModel(1024, 1024, 31));
        using var interpreter = new Interpreter(model);
        var error = Assert.Throws<ResourceLimitException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.LimitName, Is.EqualTo("InterpreterOptions.MaxOperationsPerNode"));
        Assert.That(error.NodeIndex, Is.EqualTo(0));
        Assert.That(error.Requested, Is.GreaterThan(1_000_000_000_000_000L));
        Assert.That(error.Message, Does.Contain("node 0 (CONV_2D)"));
        Assert.That(interpreter.ArenaBytes, Is.Zero, "nothing was allocated for it");
    }

    [Test]
    public void ALowerOperationLimitRefusesAnOrdinaryConvolutionAndAHigherOneRunsIt()
    {
        using var model = Model.FromBytes(ConvModel(8, 4, 3)); // 8·8·4·3·3·4 = 9,216 MACs
        using (var strict = new Interpreter(model, new InterpreterOptions { MaxOperationsPerNode = 9_215 }))
            Assert.That(Assert.Throws<ResourceLimitException>(() => strict.AllocateTensors())!.Requested, Is.EqualTo(9_216));
        using var enough = new Interpreter(model, new InterpreterOptions { MaxOperationsPerNode = 9_216 });
        enough.AllocateTensors();
        enough.Invoke();
    }

    [Test]
    public void AnInputResizedBeyondMaxTensorBytesIsRefusedNamingTheTensor()
    {
        var b = new ModelBuilder("resize");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4], shapeSignature: [-1, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4], shapeSignature: [-1, 4]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxTensorBytes = 1024 });
        interpreter.AllocateTensors();
        interpreter.ResizeInputTensor(0, [64, 4]); // exactly 1024 bytes: allowed
        interpreter.AllocateTensors();
        interpreter.ResizeInputTensor(0, [65, 4]);
        var error = Assert.Throws<ResourceLimitException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.LimitName, Is.EqualTo("InterpreterOptions.MaxTensorBytes"));
        Assert.That(error.Requested, Is.EqualTo(65 * 4 * 4));
        Assert.That(error.Message, Does.Contain("'x'"));
    }

    [Test]
    public void MoreNodesThanMaxNodeCountAreRefusedWhenTheInterpreterIsBuilt()
    {
        var b = new ModelBuilder("chain");
        int t = b.AddTensor("t0", TensorType.Float32, [4]);
        b.AddInput(t);
        for (int i = 1; i <= 3; i++)
        {
            int next = b.AddTensor($"t{i}", TensorType.Float32, [4]);
            b.AddOperator(BuiltinOperator.Relu, [t], [next]);
            t = next;
        }
        b.AddOutput(t);
        using var model = Model.FromBytes(b.Build());
        var error = Assert.Throws<ResourceLimitException>(() => new Interpreter(model, new InterpreterOptions { MaxNodeCount = 2 }))!;
        Assert.That((error.LimitName, error.Limit, error.Requested), Is.EqualTo(("InterpreterOptions.MaxNodeCount", 2L, 3L)));
        using var fits = new Interpreter(model, new InterpreterOptions { MaxNodeCount = 3 });
    }

    [Test]
    public void Float16WeightsWidenedBeyondMaxConstantExpansionBytesAreRefused()
    {
        var b = new ModelBuilder("fp16");
        int w16 = b.AddConstantFloat16("w16", [64], new float[64]);
        int w = b.AddTensor("w", TensorType.Float32, [64]);
        int x = b.AddTensor("x", TensorType.Float32, [64]);
        int y = b.AddTensor("y", TensorType.Float32, [64]);
        b.AddOperator(BuiltinOperator.Dequantize, [w16], [w], version: 2);
        b.AddOperator(BuiltinOperator.Add, [x, w], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var strict = new Interpreter(model, new InterpreterOptions { MaxConstantExpansionBytes = 255 });
        var error = Assert.Throws<ResourceLimitException>(() => strict.AllocateTensors())!;
        Assert.That((error.LimitName, error.Requested, error.NodeIndex), Is.EqualTo(("InterpreterOptions.MaxConstantExpansionBytes", 256L, 0)));
        using var enough = new Interpreter(model, new InterpreterOptions { MaxConstantExpansionBytes = 256 });
        enough.AllocateTensors();
        Assert.That(enough.FoldedConstantBytes, Is.EqualTo(256));
    }

    [Test]
    public void ModelLoadOptionsBoundTheFileSizeAndItsCounts()
    {
        byte[] bytes = ConvModel(8, 4, 3);
        using (Model.FromBytes(bytes, new ModelLoadOptions { MaxFileBytes = bytes.Length, MaxOperators = 1, MaxTensors = 3, MaxSubgraphs = 1 })) { }
        Assert.That(Assert.Throws<ResourceLimitException>(() => Model.FromBytes(bytes, new ModelLoadOptions { MaxFileBytes = bytes.Length - 1 }))!
            .LimitName, Is.EqualTo("ModelLoadOptions.MaxFileBytes"));
        Assert.That(Assert.Throws<ResourceLimitException>(() => Model.FromBytes(bytes, new ModelLoadOptions { MaxOperators = 0 }))!
            .LimitName, Is.EqualTo("ModelLoadOptions.MaxOperators"));
        Assert.That(Assert.Throws<ResourceLimitException>(() => Model.FromBytes(bytes, new ModelLoadOptions { MaxTensors = 2 }))!
            .LimitName, Is.EqualTo("ModelLoadOptions.MaxTensors"));
        Assert.That(Assert.Throws<ResourceLimitException>(() => Model.FromBytes(bytes, new ModelLoadOptions { MaxSubgraphs = 0 }))!
            .LimitName, Is.EqualTo("ModelLoadOptions.MaxSubgraphs"));

        string path = Path.Combine(Path.GetTempPath(), $"accel-limits-{Guid.NewGuid():N}.tflite");
        File.WriteAllBytes(path, bytes);
        try
        {
            var error = Assert.Throws<ResourceLimitException>(() => Model.FromFile(path, new ModelLoadOptions { MaxFileBytes = 100 }))!;
            Assert.That(error.Message, Does.Contain(path));
            File.Delete(path); // nothing stays mapped: the file can be deleted and rewritten
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
    }

    /// <summary>
    /// Fuzzer finding left open in docs/fuzzing.md: an output that fits 2^31 elements but not the memory limit made
    /// RESIZE_BILINEAR's definition build per-row tables of the output height (about 40 GB here) before any check.
    /// SetOutputShape now checks MaxTensorBytes the moment the definition sets the shape, before the tables.
    /// </summary>
    [Test]
    public void AResizeToAnOutputOverMaxTensorBytesIsRefusedBeforeItsTablesAreBuilt()
    {
        var b = new ModelBuilder("resize");
        int x = b.AddTensor("x", TensorType.Float32, [1, 2, 2, 1]);
        int size = b.AddConstant("size", [2], [int.MaxValue, 1]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 1, 1, 1]);
        b.AddOperator(BuiltinOperator.ResizeBilinear, [x, size], [y], new ResizeBilinearOptions(false, false));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        long before = GC.GetTotalAllocatedBytes(precise: true);
        using var interpreter = new Interpreter(model);
        var error = Assert.Throws<ResourceLimitException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.LimitName, Is.EqualTo("InterpreterOptions.MaxTensorBytes"));
        Assert.That(error.Requested, Is.EqualTo(4L * int.MaxValue));
        Assert.That(error.Message, Does.Contain("node 0 (RESIZE_BILINEAR)").And.Contain("'y'"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(16L << 20), "no table of the output height was built");
    }

    /// <summary>
    /// Fuzzer finding (docs/fuzzing.md, run F): a valid LRN whose radius covers all 65,537 channels implies 5·10^10
    /// operations (O(depth²) on the reference, as TFLite's) and ran past the time limit; the fuzzer now declares
    /// MaxOperationsPerNode = 2^31 and such a node is refused at AllocateTensors.
    /// </summary>
    [Test]
    public void AnLrnWhoseRadiusSpansTheDepthIsRefusedByALowerOperationLimit()
    {
        var b = new ModelBuilder("lrn");
        int x = b.AddTensor("input", TensorType.Float32, [1, 3, 4, 65537]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 3, 4, 65537]);
        b.AddOperator(BuiltinOperator.LocalResponseNormalization, [x], [y], new LocalResponseNormalizationOptions(1 << 20, 1f, 1f, 1f));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxOperationsPerNode = 1L << 31 });
        var error = Assert.Throws<ResourceLimitException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.LimitName, Is.EqualTo("InterpreterOptions.MaxOperationsPerNode"));
        Assert.That(error.Requested, Is.GreaterThan(10_000_000_000L));
    }

    /// <summary>
    /// Fuzzer finding (docs/fuzzing.md, run H): integer MEAN walked the whole input once per block of 256 outputs, so a
    /// MEAN over a size-1 axis of 1.6 M int64 elements (1.6 M operations by its cost) ran for 16 s; it is one pass now.
    /// </summary>
    [Test]
    public void AnIntegerMeanOverASizeOneAxisOfAMillionElementsIsTheInputInOnePass()
    {
        var b = new ModelBuilder("mean");
        int x = b.AddTensor("input", TensorType.Int64, [1, 46341, 7, 5]);
        int axes = b.AddConstant("axes", [1], [0]);
        int y = b.AddTensor("output", TensorType.Int64, [1, 46341, 7, 5]);
        b.AddOperator(BuiltinOperator.Mean, [x, axes], [y], new ReducerOptions(true));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var values = Enumerable.Range(0, 46341 * 35).Select(i => (long)i * 2654435761L - (1L << 40)).ToArray();
        interpreter.SetInput<long>(0, values);
        interpreter.Invoke();
        Assert.That(interpreter.Output<long>(0).ToArray(), Is.EqualTo(values));
    }

    /// <summary>
    /// Fuzzer finding (docs/fuzzing.md, run H): a uint8 RESIZE_BILINEAR whose size became so wide that its output fit
    /// the limits but its per-column tables (20 bytes a column) did not; the definition reserves them first now.
    /// </summary>
    [Test]
    public void ResizeTablesBeyondTheMemoryLimitAreRefusedBeforeTheyAreBuilt()
    {
        using var model = Model.FromBytes(Convert.FromBase64String("GAAAAFRGTDMAAA4AGAAEABQAEAAMAAgADgAAAAMAAAAQAAAAGAAAAFQAAABYAAAAAgAAAFgCAAA8AgAAOAAAAGFjY2VsIGNvbmZvcm1hbmNlIGNhc2Ugb3AvUkVTSVpFX0JJTElORUFSL3VpbnQ4L3NpemU9MXgxAAAAAAEAAAAcAAAAAQAAANQBAAAAAA4AGAAUABAADAAIAAQADgAAABQAAAAcAAAAIAAAACQAAAAoAAAABAAAAG1haW4AAAAAAQAAADQAAAABAAAAAgAAAAEAAAAAAAAAAwAAABABAADMAAAAVAAAAAAADgAYAAgAFAAQAAcADAAOAAAAAAAADwAAAAAYAAAAHAAAACAAAAAMAAgAAAAAAAcABgAMAAAAAAAAAAEAAAACAAAAAgAAAAAAAAABAAAAYv///wAAAQMQAAAAAAAAACwAAAA0AAAATP///wgAAAAUAAAAAQAAAH0AAAAAAAAAAAAAAAEAAADNzEw9BgAAAG91dHB1dAAABAAAAAEAAAABAAAAAQAAAAMAAAAAABYAFAAQAAcACAAMAAAAAAAAAAAABgAWAAAAAAABAgEAAAAIAAAAEAAAAAQAAABzaXplAAAAAAEAAAACAAAAAAAWABgAFAAHAAwAEAAIAAAAAAAAAAYAFgAAAAAAAQMcAAAAAAAAADQAAAA8AAAADAAMAAAAAAAIAAQADAAAAAgAAAAQAAAAAQAAAH0AAAAAAAAAAQAAAM3MTD0FAAAAaW5wdXQAAAAEAAAAAQAAAAUAAAAHAAAAAwAAAAwAEgAHAAAACAAMAAwAAAAAAAAXAgAAABcAAAAAAAYACAAEAAYAAAAEAAAACAAAAAIAACQBAAAABAAEAAQAAAA="));
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxMemoryBytes = 256L << 20 });
        var error = Assert.Throws<ResourceLimitException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.Message, Does.Contain("RESIZE_BILINEAR").And.Contain("bytes of"));
    }
}
