using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Conversion.Tests;

/// <summary>
/// The fuzzer's findings on the ONNX reader and converter (docs/fuzzing.md, findings 7–): each a malformed model,
/// minimized, that once ended in another exception type (Overflow, IndexOutOfRange, NullReference, DivideByZero,
/// ArgumentException from a dictionary) or in a .tflite Accel's own verifier refuses. Each is now an
/// <see cref="OnnxConversionException"/> naming what is wrong and where.
/// </summary>
public sealed class MalformedOnnxTests
{
    /// <summary>x [1,4,6,5] → 1×1 Conv (with bias) → (the op) → y, as a ModelProto to edit.</summary>
    private static ModelProto AfterConv(Action<OnnxBuilder> op, int opset = 17)
    {
        var b = new OnnxBuilder(opset).Input("x", 1, 4, 6, 5);
        b.Float("w", [4, 4, 1, 1], Harness.Random(16, 1)).Float("b", [4], Harness.Random(4, 2));
        b.Node("Conv", ["x", "w", "b"], ["c"]);
        op(b);
        return ModelProto.Parser.ParseFrom(b.Output("y").Build());
    }

    private static OnnxConversionException Refused(ModelProto model) =>
        Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(model.ToByteArray(), new ConvertOptions()))!;

    private static ModelProto Relu() => AfterConv(b => b.Node("Relu", ["c"], ["y"]));

    [Test]
    public void AModelInputDimensionBeyondInt32IsRefusedByName()
    {
        var model = Relu();
        model.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = 1L << 40;
        Assert.That(Refused(model).Message, Does.Contain("model input 'x' has dimension 2 = 1099511627776"));
    }

    [TestCase(1L << 32, "each must be in 0..2^31−1")]
    [TestCase(-3L, "each must be in 0..2^31−1")]
    public void AnInitializerDimensionOutsideInt32IsRefusedByName(long dim, string why)
    {
        var model = Relu();
        model.Graph.Initializer[0].Dims[1] = dim;
        Assert.That(Refused(model).Message, Does.Contain("tensor 'w'").And.Contain(why));
    }

    [Test]
    public void AnInitializerOfMoreThan2To31ElementsIsRefusedBeforeItsDataIsRead()
    {
        var model = Relu();
        model.Graph.Initializer[0].Dims.Clear();
        model.Graph.Initializer[0].Dims.Add([65536, 65536, 1, 1]);
        Assert.That(Refused(model).Message, Does.Contain("tensor 'w'").And.Contain("more than 2^31−1 elements"));
    }

    [Test]
    public void AnOpsetVersionBeyondInt32IsAnUnsupportedOpsetByNumber()
    {
        var model = Relu();
        model.OpsetImport[0].Version = 1L << 33;
        Assert.That(Refused(model).Message, Does.Contain("unsupported opset 8589934592"));
    }

    [Test]
    public void AnAttributeGivenTwiceIsRefusedNamingTheNode()
    {
        var model = AfterConv(b => b.Node("LeakyRelu", ["c"], ["y"], ("alpha", 0.1f)));
        model.Graph.Node[1].Attribute.Add(model.Graph.Node[1].Attribute[0].Clone());
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("attribute 'alpha' 2 times"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "LeakyRelu_1" }));
    }

    [Test]
    public void TwoNodesWritingOneValueAreRefusedNamingTheSecond()
    {
        // Conv writes "c"; a Relu writing "c" again once reached the Conv+BatchNormalization fold as a duplicate key.
        var model = AfterConv(b => { b.Node("Relu", ["x"], ["c"]); b.Node("Relu", ["c"], ["y"]); });
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("writes 'c', which is already"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Relu_1" }));
    }

    [Test]
    public void ANodeWritingAnInitializerIsRefused()
    {
        var model = AfterConv(b => b.Node("Relu", ["c"], ["w"]).Node("Relu", ["c"], ["y"]));
        Assert.That(Refused(model).Message, Does.Contain("writes 'w', which is already a model input, an initializer"));
    }

    [TestCase(new long[] { 0, 0, 1, 2 })]
    [TestCase(new long[] { 0, 1, 2, 4 })]
    [TestCase(new long[] { 0, 1, 2 })]
    public void ATransposePermThatIsNotAPermutationIsRefusedNamingTheNode(long[] perm)
    {
        var model = AfterConv(b => b.Node("Transpose", ["c"], ["y"], ("perm", perm)));
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("is not a permutation of the 4 axes"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Transpose_1" }));
    }

    [Test]
    public void AConstantAddWithItsSecondInputOmittedIsRefusedNotANullReference()
    {
        var model = AfterConv(b =>
        {
            b.Float("k", [4], [1f, 2f, 3f, 4f]);
            b.Node("Add", ["k", ""], ["s"]);
            b.Node("Add", ["c", "s"], ["y"]);
        });
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("input 1 is required but omitted"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Add_1" }));
    }

    [TestCase("strides", new long[] { 0, 1 }, TestName = "AZeroStrideIsRefusedNotADivisionByZero")]
    [TestCase("dilations", new long[] { 1 }, TestName = "TooFewDilationsAreRefused")]
    [TestCase("pads", new long[] { -1, 0, 0, 0 }, TestName = "ANegativePadIsRefused")]
    public void ConvolutionGeometryOutsideItsRangeIsRefusedNamingTheNode(string attribute, long[] value)
    {
        var model = AfterConv(b => b.Float("w2", [2, 4, 3, 3], Harness.Random(72, 3)).Node("Conv", ["c", "w2"], ["y"], (attribute, value)));
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("do not describe 2 spatial axes"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Conv_1" }));
    }

    [Test]
    public void BatchNormalizationStatisticsShorterThanTheChannelsAreNotFoldedOutOfRange()
    {
        // Three statistics for four channels: the Conv+BatchNormalization fold once indexed past them.
        var model = AfterConv(b =>
        {
            b.Float("s", [3], [1f, 2f, 3f]).Float("sh", [3], [0f, 0f, 0f]).Float("m", [3], [0f, 0f, 0f]).Float("v", [3], [1f, 1f, 1f]);
            b.Node("BatchNormalization", ["c", "s", "sh", "m", "v"], ["y"]);
        });
        Assert.That(Refused(model).Nodes, Is.EqualTo(new[] { "BatchNormalization_1" }));
    }

    [TestCase("DepthToSpace", 0L)]
    [TestCase("SpaceToDepth", -2L)]
    [TestCase("DepthToSpace", 1L << 20)]
    public void ABlockSizeOutOfRangeIsRefusedNotADivisionByZero(string op, long block)
    {
        var model = AfterConv(b => b.Node(op, ["c"], ["y"], ("blocksize", block)));
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain($"blocksize {block}"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { op + "_1" }));
    }

    [Test]
    public void AMatMulWithAThirdComputedInputIsRefusedNotANullReference()
    {
        // Three inputs is the converter's own folded-bias form; from a file, the third is not a constant.
        var model = ModelProto.Parser.ParseFrom(new OnnxBuilder().Input("x", 3, 8)
            .Float("m", [8, 8], Harness.Random(64, 3))
            .Node("Relu", ["x"], ["r"]).Node("MatMul", ["x", "r", "r"], ["y"]).Output("y").Build());
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("MatMul takes two inputs, this one has 3"));
    }

    [Test]
    public void ConstantOfShapeBeyondTheFoldingLimitIsRefusedBeforeItIsBuilt()
    {
        // 46341² elements (8 GiB of float32) once went to Enumerable.Repeat.
        var model = AfterConv(b => b.Int64("shape", [2], [46341, 46341]).Node("ConstantOfShape", ["shape"], ["z"])
            .Int64("zs", [4], [1, 4, 6, 5]).Node("Reshape", ["c", "zs"], ["y"]));
        Assert.That(Refused(model).Message, Does.Contain("beyond the converter's limit of 67108864 (2^26)"));
    }

    [Test]
    public void AConstantBroadcastBeyondTheFoldingLimitIsRefusedBeforeItIsBuilt()
    {
        var model = AfterConv(b => b.Float("p", [40000, 1], new float[40000]).Float("q", [1, 40000], new float[40000])
            .Node("Add", ["p", "q"], ["s"]).Node("Relu", ["c"], ["y"]));
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("a broadcast to [40000,40000]").And.Contain("beyond the converter's limit"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Add_1" }));
    }

    /// <summary>
    /// Two minimized mutants of the Split seed (instrumented run R): a node output analysis left without a shape (an
    /// output the operator does not have) reached lowering, which read its shape — NullReferenceException in
    /// <c>Lowering.Out</c> and <c>Lowering.Binary</c>. Kept as the fuzzer wrote them (283 and 293 bytes).
    /// </summary>
    [TestCase("CAgSDGFjY2VsLXRlc3RzZTqEAgooCgVwcmVfdwoFcHJlX3cKBXByZV9iEgNwcmUaBkNvbnZfMCIEQ29udgovCgNwcmUKAXMSAWMSAWESAmM2GgdTcGxpdF8xIgVTcGxpdCoLCgRheGlzGAGgAQIKFQoBYQoBYxIBeRoFTXVsXzIiA011bBIEdGVzdCpRCgQEBAEBEAFCBXByZV93SkDCwFu9Aka7PuiH7z4vjEE+7WXOPg642b5TCHK+1jnIvtyKjL5vZI8+oSWLvnIehD6m4UI+1BbzPuTtYb5aQ7c+Kh4KAQQQAUIFcHJlX2JKEJMM2T4tLJQ9s7Nsvs0kyLwqDAoBAhAHOgIBA0IBc2IJCgF5EgQKAggBQgIQEQ==", TestName = "AValueWithoutAnInferredShapeIsRefusedNotANullReferenceInOut")]
    [TestCase("CAgSC2FjY2VsLXRlc3RzOo8CChwKAXgKAAoFcHJlX3cSA3ByZRoGQ29udl8wIgF4CiAKA3ByZRIAEgAaB1NwbGl0XzEiBVNwbGl0KgUYAaABAgoUCgFhCgASAXkaBU11bF8yIgNNdWwSBHRlc3QqUQoEBAQBARABQgVwcmVfd0pAwsBbvQJGuz7oh+8+L4xBPu1lzj4OuNm+UwhyvtY5yL7cioy+b2SPPqEli75yHoQ+puFCPtQW8z7k7WG+WkO3PioeCgEEEAFCBXByZV9iShCTDNk+LSyUPbOzbL7NJMi8KgwKAQIQBzoCAQNCAXNaJQoBeBIgCh4IARIaCgIIAQoCCAQKDAgJGghVcHNhbXBsZQoCCAdiCQoBeRIECgIIAUICEBE=", TestName = "AValueWithoutAnInferredShapeIsRefusedNotANullReferenceInBinary")]
    public void AValueWithoutAnInferredShapeIsRefused(string base64)
    {
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(Convert.FromBase64String(base64), new ConvertOptions()))!;
        Assert.That(e.Message, Does.Contain("has no inferred shape"));
        Assert.That(e.Nodes, Has.Count.EqualTo(1));
    }

    [Test]
    public void ManyLargeFoldsTogetherBeyondTheTotalFoldingLimitAreRefused()
    {
        // Three folds of 2^26 − 1 elements each (every one under the per-constant limit, 768 MiB together).
        const int n = (1 << 26) - 1;
        var model = AfterConv(b =>
        {
            b.Int64("shape", [1], [n]);
            for (int k = 0; k < 3; k++) b.Node("ConstantOfShape", ["shape"], [$"z{k}"]);
            b.Node("Relu", ["c"], ["y"]);
        });
        var e = Refused(model);
        Assert.That(e.Message, Does.Contain("beyond the converter's limit of 134217728 (2^27) in all"));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "ConstantOfShape_3" }));
    }

    /// <summary>
    /// Three mutants from instrumented run T, kept as the fuzzer wrote them: a Constant node with no output
    /// (ArgumentOutOfRange reading it), an even Split into zero outputs (DivideByZero), and nodes whose omitted ("")
    /// outputs collided as keys in the Conv+BatchNormalization fold's producer map (ArgumentException).
    /// </summary>
    [TestCase("CAESC2FjY2VsLXRlcxFzOsYCChgKAW0SAm1tGghNYXRNdWxfMCIFU2xpY2UKGQoCbW0KAm1tGgVTbGljZSIIQ29uc3RhbnQKFAoCbW0KAm1tGgVTbGljZSIDQWRkEgR0ZXN0KqwBCgIIBRABQgFtSqABs29TvrtSSj6I37o+hV+avsHEdz1Bi6O+Ucx/vnn75D5t7hq+ttj1vWV8CTtJY2UKGQoCbW0KAm1tGgVTbGnOPoLLwL7K77U+/0uEPrbqwrxtp5EhWjw8PD49wBH/vWs9OLs6RVK+uU2DvoM+aDtrW9++iMxCPl00yT5UAX089JKYvUe7tj7juSQ+KiEKAQUQAUIEPPSSmL1Hu7Y+o7kkPiohCgEFEAFCBGJpYXNKFHvDoT5UZPs+JAWDPYRctL1E3vm+WiESHwoYCAESFAoOCAMaClJlZHVjZU1lYW4KAggIMgNEaXZCAhAR", TestName = "AConstantWithoutAnOutputIsRefused")]
    [TestCase("CAgSC2FjY2VsLXRlc3RzOs4CChsKAXgKAAoFcHJlX3caBkNvbnZfMCIFU3BsaXQKJwoDcHJlCgASABIBYxoHU3BsaXRfMSIFU3BsaXQqCRgBoAECqgEBNgoSCgFjEgF5GgVNdWxfMiIDTXVsEgR0ZXN0Kk8KBAQEAQEQAUIDU3ViSkDCwFu9Aka7PuiH7z4vjEE+7WXOPg642QEEEAFCBXByZV+KjL5vZI8+oSWLvnIehD6m4UI+1BbzPuTtYb5aQ7c+Kh4KAQQQAUIFcHJlX2JKEJMM2T4tLJQ9s7Nsvs0kyLwqEAoBAhAHOgIBA0IFcHJlX3daJQoBeBIgCh4IARIaCgIIAQoCCAQKDAiF6gIaBkV4cGFuZAoCCAdaGhIYChYIARISCgIIAQoCCAQKBAiF6gIKAggHWhsKAXgSFgoUCAESEAoCCAEKAggECgIIEgoCCAdiCQoBeRIECgIIAUICEBE=", TestName = "AnEvenSplitIntoZeroOutputsIsRefusedNotADivisionByZero")]
    [TestCase("CAgSC2FjY2VsLXRlc3RzOoYCCiAKAXgKAAoFcHJlX3cSA3ByZRoGQ29udl8wIgURAAAAdAogCgNwcmUSABIAGgdTcGxpdF8xIgVTcGxpdCoFGAGgAQIKFAoBYQoAEgF5GgVNdWxfMiIDTXVsEgR0ZXN0KlEKBAQEAQEQAUIFcHJlX3dKQMLAW70CRrs+6IfvPi+MQT7tZc4+DrjZvlMIcr7WOci+3IqMvm9kjz6hJYu+ch6EPqbhQj7UFvM+5O1hvlpDtz4qHgoBBBABQgVwcmVfYkoQkwzZPi0slD2zs2y+zSTIvCoMCgECEAc6AgEDQgFzWhsKAXgSFgoUCAESEAoCCAEKAggECgIICQoCCAdiBhIECgIIAUICEBE=", TestName = "OmittedOutputsOfSeveralNodesDoNotCollideInTheConvBatchNormFold")]
    public void RunTMutantsAreTypedRefusalsOrModels(string base64)
    {
        try
        {
            var result = OnnxConverter.Convert(Convert.FromBase64String(base64), new ConvertOptions());
            using var model = Model.FromBytes(result.Tflite); // a conversion that succeeds writes a model Accel loads
        }
        catch (OnnxConversionException e)
        {
            Assert.That(e.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void AShapeInferredBeyond2To31ElementsIsRefusedByValueNotWrittenIntoTheModel()
    {
        // Tile by 2^27 along H: 1·4·(6·2^27)·5 elements; the converter once wrote it and Accel's verifier refused the file.
        var model = AfterConv(b => b.Int64("r", [4], [1, 1, 1 << 27, 1]).Node("Tile", ["c", "r"], ["y"]));
        Assert.That(Refused(model).Message, Does.Contain("value 'y'").And.Contain("more than 2^31−1 elements"));
    }

    /// <summary>
    /// docs/fuzzing.md finding 29, the fuzzer's minimized mutant (run T, 331 bytes) as it wrote it: a model input of
    /// shape [2^30, 8] (each dimension fits int32, their product does not) was written into a .tflite that Accel's
    /// verifier refused ("element count exceeds 2147483647" on tensor 0). Now refused naming the input.
    /// </summary>
    [Test]
    public void AModelInputWhoseElementCountIsBeyondInt32IsRefusedNotWrittenIntoAModelTheVerifierRefuses()
    {
        const string mutant = "CAgSC2FjY2VsLXRlc3RzOrUCChwKAXgKAW0SAm1tGghNYXRNdWxfMCIGTWF0TXVsChkKAm1tCgRiaWFzEgF5GgVBZGRfMSIDQWRkEgR0ZXN0KqwBCgIIBRABQgFtSqABs29TvrtSSj6I37o+hV+avsHEdz1Bi6O+Ucx/vnn75D5t7hq+ttj1vWV8CTtJcZ4+S7FHPnF/8L5V+9W+38/OPoLLwL7K77U+/0uEPrbqwrxtp5G+oiisPYbsjbpcs9a+Nuj8PkboNL0UIVo8PDw+PcAR/71rPTi7OkVSvrlNg76DPmg7a1vfvojMQj5dNMk+VAF9PPSSmL1Hu7Y+o7kkPiohCgEFEAFCBGJpYXNKFHvDoT5UZPs+JAWDPYRctL1E3vm+WhcKAXgSEgoQCAESDAoGCICAgIAECgIICGIJCgF5EgQKAggBQgIQEQ==";
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(Convert.FromBase64String(mutant), new ConvertOptions()))!;
        Assert.That(e.Message, Does.Contain("model input 'x' has shape [1073741824,8]: more than 2^31−1 elements"));
    }

    [Test]
    public void AnInputShapeGivenOnTheCommandLineBeyondInt32ElementsIsRefused()
    {
        var model = AfterConv(b => b.Node("Relu", ["c"], ["y"]));
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam = "batch"; // a symbolic batch, fixed by --input-shape
        var options = new ConvertOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [1 << 27, 4, 6, 5] } };
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(model.ToByteArray(), options))!;
        Assert.That(e.Message, Does.Contain("model input 'x' has shape [134217728,4,6,5]: more than 2^31−1 elements"));
    }
}
