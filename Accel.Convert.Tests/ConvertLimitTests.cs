using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Conversion.Tests;

/// <summary>Each user-settable limit of <see cref="ConvertOptions"/> is enforced with a typed error naming it.</summary>
public sealed class ConvertLimitTests
{
    /// <summary>x [1,4,6,5] → 1×1 Conv → (the op) → y.</summary>
    private static byte[] AfterConv(Action<OnnxBuilder> op)
    {
        var b = new OnnxBuilder(17).Input("x", 1, 4, 6, 5);
        b.Float("w", [4, 4, 1, 1], Harness.Random(16, 1)).Float("b", [4], Harness.Random(4, 2));
        b.Node("Conv", ["x", "w", "b"], ["c"]);
        op(b);
        return b.Output("y").Build();
    }

    private static byte[] Relu() => AfterConv(b => b.Node("Relu", ["c"], ["y"]));

    /// <summary>Folds <paramref name="count"/> ConstantOfShape nodes of <paramref name="elements"/> elements each.</summary>
    private static byte[] Folds(int count, long elements) => AfterConv(b =>
    {
        b.Int64("shape", [1], [elements]);
        for (int k = 0; k < count; k++) b.Node("ConstantOfShape", ["shape"], [$"z{k}"]);
        b.Node("Relu", ["c"], ["y"]);
    });

    [Test]
    public void AModelLargerThanMaxModelBytesIsRefusedNamingTheLimit()
    {
        byte[] onnx = Relu();
        var e = Assert.Throws<ResourceLimitException>(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxModelBytes = onnx.Length - 1 }))!;
        Assert.That(e.LimitName, Is.EqualTo("ConvertOptions.MaxModelBytes"));
        Assert.That(e.Requested, Is.EqualTo(onnx.Length));
        Assert.That(OnnxConverter.Convert(onnx, new ConvertOptions { MaxModelBytes = onnx.Length }).OperatorCount, Is.GreaterThan(0));
    }

    [Test]
    public void AFileLargerThanMaxModelBytesIsRefusedAndNothingIsWritten()
    {
        string folder = Directory.CreateTempSubdirectory("accel-convert-limit").FullName;
        try
        {
            string input = Path.Combine(folder, "m.onnx"), output = Path.Combine(folder, "m.tflite");
            File.WriteAllBytes(input, Relu());
            var e = Assert.Throws<ResourceLimitException>(() => OnnxConverter.ConvertFile(input, output, new ConvertOptions { MaxModelBytes = 100 }))!;
            Assert.That(e.Message, Does.Contain("ConvertOptions.MaxModelBytes = 100"));
            Assert.That(File.Exists(output), Is.False);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void AGraphWithMoreNodesThanMaxNodeCountIsRefusedNamingTheLimit()
    {
        byte[] onnx = Relu(); // Conv and Relu
        var e = Assert.Throws<ResourceLimitException>(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxNodeCount = 1 }))!;
        Assert.That(e.LimitName, Is.EqualTo("ConvertOptions.MaxNodeCount"));
        Assert.That(e.Requested, Is.EqualTo(2));
        Assert.That(OnnxConverter.Convert(onnx, new ConvertOptions { MaxNodeCount = 2 }).OnnxNodeCount, Is.EqualTo(2));
    }

    [Test]
    public void AFoldedConstantBeyondMaxFoldedElementsIsRefusedNamingTheLimit()
    {
        byte[] onnx = Folds(1, 1000);
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxFoldedElements = 999 }))!;
        Assert.That(e.Message, Does.Contain("a constant of 1000 elements, beyond the converter's limit of 999 (ConvertOptions.MaxFoldedElements)"));
        Assert.DoesNotThrow(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxFoldedElements = 1000 }));
    }

    [Test]
    public void FoldedConstantsBeyondMaxFoldedTotalElementsTogetherAreRefusedNamingTheLimit()
    {
        byte[] onnx = Folds(2, 600);
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxFoldedTotalElements = 1000 }))!;
        Assert.That(e.Message, Does.Contain("beyond the converter's limit of 1000 in all (ConvertOptions.MaxFoldedTotalElements)"));
        Assert.DoesNotThrow(() => OnnxConverter.Convert(onnx, new ConvertOptions { MaxFoldedTotalElements = 1200 }));
    }

    [TestCase("MaxModelBytes")]
    [TestCase("MaxNodeCount")]
    [TestCase("MaxFoldedElements")]
    [TestCase("MaxFoldedTotalElements")]
    public void ALimitThatCannotBeMetIsAnArgumentError(string limit)
    {
        var options = limit switch
        {
            "MaxModelBytes" => new ConvertOptions { MaxModelBytes = 0 },
            "MaxNodeCount" => new ConvertOptions { MaxNodeCount = 0 },
            "MaxFoldedElements" => new ConvertOptions { MaxFoldedElements = (long)int.MaxValue + 1 },
            _ => new ConvertOptions { MaxFoldedTotalElements = -1 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxConverter.Convert(Relu(), options))!;
        Assert.That(e.ParamName, Is.EqualTo(limit));
    }
}
