namespace Accel.Conversion.Tests;

/// <summary>
/// Operator versions as TFLite's converter writes them (tensorflow/lite/tools/versioning/op_version.cc): the rules
/// one by one, one operator code per builtin at the highest version its operators need, and every converted op graph
/// carrying exactly the expected versions and loading in real TFLite (the LiteRT.js oracle) with them.
/// </summary>
public sealed class OperatorVersionTests
{
    private static TensorSpec F(params int[] shape) => new(TensorType.Float32, shape, false);
    private static TensorSpec Const(params int[] shape) => new(TensorType.Float32, shape, true);
    private static TensorSpec Of(TensorType type, params int[] shape) => new(type, shape, false);

    public static IEnumerable<TestCaseData> Rules()
    {
        TestCaseData Rule(string name, BuiltinOperator op, OperatorOptions? options, TensorSpec?[] inputs, TensorSpec[] outputs, int version)
            => new TestCaseData((Func<int>)(() => OperatorVersions.Of(op, options, inputs, outputs))).Returns(version).SetName("VersionFollowsTfliteConverterRule_" + name);
        var none = ActivationFunctionType.None;
        yield return Rule("Conv2dPlain1", BuiltinOperator.Conv2D, new Conv2DOptions(Padding.Same, 1, 1, none), [F(1, 8, 8, 4), Const(6, 3, 3, 4), Const(6)], [F(1, 8, 8, 6)], 1);
        yield return Rule("Conv2dGrouped6", BuiltinOperator.Conv2D, new Conv2DOptions(Padding.Same, 1, 1, none), [F(1, 8, 8, 4), Const(6, 3, 3, 2), Const(6)], [F(1, 8, 8, 6)], 6);
        yield return Rule("DepthwiseDilated2", BuiltinOperator.DepthwiseConv2D, new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, none, 2, 1), [F(1, 8, 8, 4), Const(1, 3, 3, 4), Const(4)], [F(1, 8, 8, 4)], 2);
        yield return Rule("DepthwisePlain1", BuiltinOperator.DepthwiseConv2D, new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, none), [F(1, 8, 8, 4), Const(1, 3, 3, 4), Const(4)], [F(1, 8, 8, 4)], 1);
        yield return Rule("FullyConnectedOmittedBias1", BuiltinOperator.FullyConnected, new FullyConnectedOptions(none), [F(3, 8), Const(5, 8), null], [F(3, 5)], 1);
        yield return Rule("FullyConnectedTwoInputs6", BuiltinOperator.FullyConnected, new FullyConnectedOptions(none), [F(3, 8), Const(5, 8)], [F(3, 5)], 6);
        yield return Rule("FullyConnectedKeepNumDims5", BuiltinOperator.FullyConnected, new FullyConnectedOptions(none, KeepNumDims: true), [F(2, 3, 8), Const(5, 8), Const(5)], [F(2, 3, 5)], 5);
        yield return Rule("TransposeConvWithBias3", BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Valid, 2, 2), [Of(TensorType.Int32, 4), Const(3, 2, 2, 4), F(1, 4, 4, 4), Const(3)], [F(1, 8, 8, 3)], 3);
        yield return Rule("TransposeConvFusedActivation4", BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Valid, 2, 2, ActivationFunctionType.Relu), [Of(TensorType.Int32, 4), Const(3, 2, 2, 4), F(1, 4, 4, 4), Const(3)], [F(1, 8, 8, 3)], 4);
        yield return Rule("TransposeConvNoBias1", BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Valid, 2, 2), [Of(TensorType.Int32, 4), Const(3, 2, 2, 4), F(1, 4, 4, 4)], [F(1, 8, 8, 3)], 1);
        yield return Rule("ResizeBilinearHalfPixel3", BuiltinOperator.ResizeBilinear, new ResizeBilinearOptions(false, true), [F(1, 4, 4, 2), Of(TensorType.Int32, 2)], [F(1, 8, 8, 2)], 3);
        yield return Rule("ResizeBilinearAlignCorners1", BuiltinOperator.ResizeBilinear, new ResizeBilinearOptions(true, false), [F(1, 4, 4, 2), Of(TensorType.Int32, 2)], [F(1, 8, 8, 2)], 1);
        yield return Rule("ResizeNearestAlignCorners3", BuiltinOperator.ResizeNearestNeighbor, new ResizeNearestNeighborOptions(true, false), [F(1, 4, 4, 2), Of(TensorType.Int32, 2)], [F(1, 8, 8, 2)], 3);
        yield return Rule("TransposeRank5Is4", BuiltinOperator.Transpose, null, [F(1, 2, 3, 4, 5), Of(TensorType.Int32, 5)], [F(1, 3, 2, 4, 5)], 4);
        yield return Rule("TransposeRank6Is6", BuiltinOperator.Transpose, null, [F(1, 2, 3, 4, 5, 6), Of(TensorType.Int32, 6)], [F(1, 3, 2, 4, 5, 6)], 6);
        yield return Rule("TransposeBool3", BuiltinOperator.Transpose, null, [Of(TensorType.Bool, 2, 3), Of(TensorType.Int32, 2)], [Of(TensorType.Bool, 3, 2)], 3);
        yield return Rule("SubBroadcastRank5Is3", BuiltinOperator.Sub, new SubOptions(none), [F(1, 2, 3, 4, 5), F(5)], [F(1, 2, 3, 4, 5)], 3);
        yield return Rule("SubSameShapeRank5Is1", BuiltinOperator.Sub, new SubOptions(none), [F(1, 2, 3, 4, 5), F(1, 2, 3, 4, 5)], [F(1, 2, 3, 4, 5)], 1);
        yield return Rule("DivBroadcastRank5Is2", BuiltinOperator.Div, new DivOptions(none), [F(1, 2, 3, 4, 5), F(5)], [F(1, 2, 3, 4, 5)], 2);
        yield return Rule("MaximumBroadcastRank5Is3", BuiltinOperator.Maximum, null, [F(1, 2, 3, 4, 5), F(5)], [F(1, 2, 3, 4, 5)], 3);
        yield return Rule("MulInt64Is5", BuiltinOperator.Mul, new MulOptions(none), [Of(TensorType.Int64, 3), Of(TensorType.Int64, 3)], [Of(TensorType.Int64, 3)], 5);
        yield return Rule("AddInt64Is4", BuiltinOperator.Add, new AddOptions(none), [Of(TensorType.Int64, 3), Of(TensorType.Int64, 3)], [Of(TensorType.Int64, 3)], 4);
        yield return Rule("PadRank5Is4", BuiltinOperator.Pad, null, [F(1, 2, 3, 4, 5), Of(TensorType.Int32, 5, 2)], [F(1, 2, 3, 4, 7)], 4);
        yield return Rule("StridedSliceRank5Is4", BuiltinOperator.StridedSlice, new StridedSliceOptions(0, 0), [F(1, 2, 3, 4, 5), Of(TensorType.Int32, 5), Of(TensorType.Int32, 5), Of(TensorType.Int32, 5)], [F(1, 2, 3, 4, 2)], 4);
        yield return Rule("SplitInt32Is3", BuiltinOperator.Split, new SplitOptions(2), [Of(TensorType.Int32), Of(TensorType.Int32, 4)], [Of(TensorType.Int32, 2), Of(TensorType.Int32, 2)], 3);
        yield return Rule("GatherBoolIs3", BuiltinOperator.Gather, new GatherOptions(0), [Of(TensorType.Bool, 4), Of(TensorType.Int32, 2)], [Of(TensorType.Bool, 2)], 3);
        yield return Rule("BroadcastToIs2", BuiltinOperator.BroadcastTo, null, [F(3, 1), Of(TensorType.Int32, 3)], [F(2, 3, 4)], 2);
        yield return Rule("CastInt32ToInt64Is1", BuiltinOperator.Cast, null, [Of(TensorType.Int32, 3)], [Of(TensorType.Int64, 3)], 1);
        yield return Rule("CastFloat16Is5", BuiltinOperator.Cast, null, [Of(TensorType.Float16, 3)], [F(3)], 5);
        yield return Rule("Softmax1", BuiltinOperator.Softmax, new SoftmaxOptions(1f), [F(2, 5)], [F(2, 5)], 1);
        yield return Rule("LocalResponseNormalization1", BuiltinOperator.LocalResponseNormalization, new LocalResponseNormalizationOptions(1, 1, 0.1f, 0.75f), [F(1, 3, 3, 4)], [F(1, 3, 3, 4)], 1);
    }

    [TestCaseSource(nameof(Rules))]
    public int VersionFollowsTfliteConverterRule(Func<int> version) => version();

    [Test]
    public void OneOperatorCodePerBuiltinAtTheHighestVersionItsOperatorsNeed()
    {
        var mb = new VersionedModelBuilder("test");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 8, 8, 4]);
        int plain = mb.AddConstant("w1", [4, 1, 1, 4], new float[16]);
        int grouped = mb.AddConstant("w2", [4, 1, 1, 2], new float[8]);
        int bias = mb.AddConstant("b", [4], new float[4]);
        int y1 = mb.AddTensor("y1", TensorType.Float32, [1, 8, 8, 4]);
        int y2 = mb.AddTensor("y2", TensorType.Float32, [1, 8, 8, 4]);
        mb.AddInput(x);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, plain, bias], [y1], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Conv2D, [y1, grouped, bias], [y2], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        mb.AddOutput(y2);
        using var model = Model.FromBytes(mb.Build());
        Assert.That(model.OperatorCodes.Select(c => (c.Builtin, c.Version)), Is.EqualTo(new[] { (BuiltinOperator.Conv2D, 6) }));
    }

    [Test]
    public void TfliteRefusesABuiltinVersionItsResolverDoesNotRegister()
    {
        static byte[] BroadcastTo(int version)
        {
            var mb = new Accel.Building.ModelBuilder("test");
            int x = mb.AddTensor("x", TensorType.Float32, [3, 1]);
            int shape = mb.AddConstant("shape", [3], [2, 3, 4]);
            int y = mb.AddTensor("y", TensorType.Float32, [2, 3, 4]);
            mb.AddInput(x);
            mb.AddOperator(BuiltinOperator.BroadcastTo, [x, shape], [y], null, version);
            mb.AddOutput(y);
            return mb.Build();
        }
        float[] input = [1f, 2f, 3f];
        var ran = Oracle.RunBatch([(BroadcastTo(1), [input]), (BroadcastTo(2), [input])]);
        Assert.That(ran[0], Is.Null, "TFLite ran BROADCAST_TO version 1, which its resolver does not register");
        Assert.That(ran[1], Is.Not.Null, "TFLite did not run BROADCAST_TO version 2");
        Assert.That(ran[1]!["y"].Data, Is.EqualTo(Enumerable.Range(0, 24).Select(i => (float)(i / 4 % 3 + 1))));
    }

    /// <summary>Op graphs whose operators need a version above 1; every other builtin in every op graph is version 1.</summary>
    private static readonly Dictionary<string, (BuiltinOperator Op, int Version)[]> Expected = new()
    {
        ["Conv groups 2"] = [(BuiltinOperator.Conv2D, 6)],
        ["Conv depthwise dilations 2"] = [(BuiltinOperator.DepthwiseConv2D, 2)],
        ["MatMul rank 3 by constant"] = [(BuiltinOperator.FullyConnected, 5)],
        ["ConvTranspose stride 2 VALID"] = [(BuiltinOperator.TransposeConv, 3)],
        ["ConvTranspose groups 2 stride 2"] = [(BuiltinOperator.TransposeConv, 3)],
        ["ConvTranspose 1-D stride 2"] = [(BuiltinOperator.TransposeConv, 3)],
        ["ConvTranspose depthwise (group = C) SAME + Relu"] = [(BuiltinOperator.TransposeConv, 4)],
        ["Resize nearest half_pixel x2 (default rounding)"] = [(BuiltinOperator.ResizeNearestNeighbor, 3)],
        ["Resize nearest align_corners"] = [(BuiltinOperator.ResizeNearestNeighbor, 3)],
        ["Resize linear half_pixel (sizes)"] = [(BuiltinOperator.ResizeBilinear, 3)],
        ["Resize linear pytorch_half_pixel"] = [(BuiltinOperator.ResizeBilinear, 3)],
        ["Expand [3,1] to [2,3,4]"] = [(BuiltinOperator.BroadcastTo, 2)],
        // The 3-D convolutions' [N, C, D, H, W] input and output are transposed at the boundary: rank-5 TRANSPOSE.
        ["Conv 3-D 3x3x3 pads 1"] = [(BuiltinOperator.Transpose, 4)],
        ["Conv 3-D 2x3x3 stride 2,1,2 dilation 2,1,1"] = [(BuiltinOperator.Transpose, 4)],
        ["Conv 3-D asymmetric pads 1,0,2,0,1,1 dilation 1,2,1"] = [(BuiltinOperator.Transpose, 4)],
        ["Conv 3-D auto_pad SAME_UPPER stride 2 + Relu (fused)"] = [(BuiltinOperator.Transpose, 4)],
        ["Conv 3-D 1x1x1"] = [(BuiltinOperator.Transpose, 4)],
    };

    [Test]
    public void ConvertedOpGraphsCarryTfliteConverterVersionsAndLoadInTflite()
    {
        var cases = OpConversionTests.Cases().ToList();
        Assert.That(Expected.Keys.Where(k => cases.All(c => c.Name != k)), Is.Empty, "expected versions for cases that do not exist");
        var failures = new List<string>();
        var jobs = new List<(byte[], IReadOnlyList<float[]>)>();
        var jobCases = new List<OpConversionTests.Case>();
        var seen = new SortedSet<string>();
        foreach (var c in cases)
        {
            var (onnx, inputs) = OpConversionTests.Build(c);
            byte[] tflite = OnnxConverter.Convert(onnx, new ConvertOptions()).Tflite;
            using var model = Model.FromBytes(tflite);
            var codes = model.OperatorCodes;
            if (codes.Select(o => o.Builtin).Distinct().Count() != codes.Count) failures.Add($"{c.Name}: more than one operator code for a builtin");
            var expected = Expected.GetValueOrDefault(c.Name, []).ToDictionary(e => e.Op, e => e.Version);
            foreach (var code in codes)
            {
                int want = expected.GetValueOrDefault(code.Builtin, 1);
                if (code.Version != want) failures.Add($"{c.Name}: {code.Builtin} version {code.Version}, TFLite's converter writes {want}");
                seen.Add($"{code.Builtin} v{code.Version}");
            }
            foreach (var (op, _) in expected)
                if (codes.All(o => o.Builtin != op)) failures.Add($"{c.Name}: no {op} operator");
            // LiteRT.js cannot hand int64 outputs to JavaScript, so only float-output graphs go to the oracle.
            if (c.OutputType == 1) { jobs.Add((tflite, [inputs["x"].Data])); jobCases.Add(c); }
        }
        var ran = Oracle.RunBatch(jobs);
        for (int i = 0; i < ran.Count; i++)
            if (ran[i] is null) failures.Add($"{jobCases[i].Name}: real TFLite did not load and run it");
        TestContext.Out.WriteLine($"{cases.Count} op graphs, {jobs.Count} run in TFLite; builtin versions written: {string.Join(", ", seen)}");
        Assert.That(failures, Is.Empty);
    }
}
