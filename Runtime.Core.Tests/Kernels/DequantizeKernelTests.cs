using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class DequantizeKernelTests
{
    [Test]
    public void HalfBitsToSingleEqualsDotNetHalfConversionForAll65536Patterns()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            float actual = DequantizeKernel.HalfBitsToSingle((ushort)bits);
            if (BitConverter.SingleToUInt32Bits(actual) != BitConverter.SingleToUInt32Bits(expected))
                Assert.Fail($"0x{bits:X4}: got 0x{BitConverter.SingleToUInt32Bits(actual):X8}, (float)Half gives 0x{BitConverter.SingleToUInt32Bits(expected):X8}");
        }
    }

    [TestCase(0, TestName = "WidenHalves over all 65536 patterns in order")]
    [TestCase(3, TestName = "WidenHalves over all 65536 patterns offset by 3 (groups straddle normal and special values, odd tail)")]
    public void WidenHalvesEqualsHalfBitsToSingleForEveryPattern(int offset)
    {
        // Sorted order puts whole groups of normals together (the vector path) and zero/subnormal/inf/NaN runs in
        // their own groups; the offset shifts every group boundary so mixed groups and a scalar tail occur too.
        var halves = new ushort[65536 + offset];
        for (int i = 0; i < halves.Length; i++) halves[i] = (ushort)(i - offset);
        var widened = new float[halves.Length];
        DequantizeKernel.WidenHalves(halves, widened);
        for (int i = 0; i < halves.Length; i++)
        {
            uint expected = BitConverter.SingleToUInt32Bits(DequantizeKernel.HalfBitsToSingle(halves[i]));
            uint actual = BitConverter.SingleToUInt32Bits(widened[i]);
            if (actual != expected) Assert.Fail($"index {i}, 0x{halves[i]:X4}: got 0x{actual:X8}, expected 0x{expected:X8}");
        }
    }

    [Test]
    public void WidenHalvesRefusesAShorterOutput()
    {
        Assert.Throws<ArgumentException>(() => DequantizeKernel.WidenHalves(new ushort[9], new float[8]));
    }

    [TestCase((ushort)0x0000, 0x0000_0000u, TestName = "+0 stays +0")]
    [TestCase((ushort)0x8000, 0x8000_0000u, TestName = "-0 stays -0")]
    [TestCase((ushort)0x3C00, 0x3F80_0000u, TestName = "one")]
    [TestCase((ushort)0xC000, 0xC000_0000u, TestName = "minus two")]
    [TestCase((ushort)0x7BFF, 0x477F_E000u, TestName = "largest normal 65504")]
    [TestCase((ushort)0x0400, 0x3880_0000u, TestName = "smallest normal 2^-14")]
    [TestCase((ushort)0x0001, 0x3380_0000u, TestName = "smallest subnormal 2^-24 normalised")]
    [TestCase((ushort)0x03FF, 0x387F_C000u, TestName = "largest subnormal normalised")]
    [TestCase((ushort)0x8200, 0xB800_0000u, TestName = "negative subnormal 2^-15")]
    [TestCase((ushort)0x7C00, 0x7F80_0000u, TestName = "+inf")]
    [TestCase((ushort)0xFC00, 0xFF80_0000u, TestName = "-inf")]
    [TestCase((ushort)0x7E00, 0x7FC0_0000u, TestName = "quiet NaN")]
    [TestCase((ushort)0x7D55, 0x7FEA_A000u, TestName = "signalling NaN is quieted, payload kept")]
    [TestCase((ushort)0xFE01, 0xFFC0_2000u, TestName = "negative NaN keeps sign and payload")]
    public void HalfBitsToSingleFollowsTheDocumentedBitRules(ushort half, uint expectedBits)
    {
        Assert.That(BitConverter.SingleToUInt32Bits(DequantizeKernel.HalfBitsToSingle(half)), Is.EqualTo(expectedBits));
    }

    [Test]
    public void Float16ConstantWidensExactly()
    {
        using var harness = new KernelTestHarness();
        ushort[] halves = [0x3C00, 0xB555, 0x0001, 0x8000, 0x7BFF, 0x2E66];
        int input = harness.Constant<ushort>("w16", TensorType.Float16, [2, 3], halves);
        float[] actual = harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]);
        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        KernelTestData.AssertBitEqual(actual, halves.Select(h => (float)BitConverter.UInt16BitsToHalf(h)).ToArray());
    }

    /// <summary>TFLite computes static_cast&lt;float&gt;(double(scale) × (q − zp)); the kernel's float multiply must match bit for bit.</summary>
    private static float TfliteAffine(float scale, long q, long zeroPoint) => (float)(scale * (double)(q - zeroPoint));

    [Test]
    public void Int8PerTensorIsScaleTimesCenteredValue()
    {
        using var harness = new KernelTestHarness();
        sbyte[] q = [-128, -7, 0, 3, 127, 42];
        float scale = 0.0123456789f;
        var quantization = new QuantizationParameters([scale], [-3], 0, [], []);
        int input = harness.Constant<sbyte>("q", TensorType.Int8, [6], q, quantization);
        float[] actual = harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]);
        KernelTestData.AssertBitEqual(actual, q.Select(v => TfliteAffine(scale, v, -3)).ToArray());
    }

    [Test]
    public void UInt8PerTensorIsScaleTimesCenteredValue()
    {
        using var harness = new KernelTestHarness();
        byte[] q = [0, 1, 127, 128, 200, 255];
        float scale = 1f / 255f;
        var quantization = new QuantizationParameters([scale], [128], 0, [], []);
        int input = harness.Input<byte>("q", TensorType.UInt8, [2, 3], q, quantization);
        float[] actual = harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]);
        KernelTestData.AssertBitEqual(actual, q.Select(v => TfliteAffine(scale, v, 128)).ToArray());
    }

    [Test]
    public void Int16PerTensorWithoutZeroPointArray()
    {
        using var harness = new KernelTestHarness();
        short[] q = [-32768, -1, 0, 1, 12345, 32767];
        float scale = 3.0517578e-05f;
        var quantization = new QuantizationParameters([scale], [], 0, [], []);
        int input = harness.Input<short>("q", TensorType.Int16, [6], q, quantization);
        float[] actual = harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]);
        KernelTestData.AssertBitEqual(actual, q.Select(v => TfliteAffine(scale, v, 0)).ToArray());
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void Int8PerChannelUsesTheScaleOfEachElementsChannel(int axis)
    {
        using var harness = new KernelTestHarness();
        int[] shape = [2, 3, 4];
        sbyte[] q = Enumerable.Range(0, 24).Select(i => (sbyte)(i * 11 - 120)).ToArray();
        float[] scales = Enumerable.Range(0, shape[axis]).Select(c => 0.01f * (c + 1) + 0.001f).ToArray();
        long[] zeroPoints = Enumerable.Range(0, shape[axis]).Select(c => (long)(c * 3 - 2)).ToArray();
        var quantization = new QuantizationParameters(scales, zeroPoints, axis, [], []);
        int input = harness.Constant<sbyte>("q", TensorType.Int8, shape, q, quantization);
        float[] actual = harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]);

        var expected = new float[24];
        for (int i0 = 0; i0 < 2; i0++)
        for (int i1 = 0; i1 < 3; i1++)
        for (int i2 = 0; i2 < 4; i2++)
        {
            int flat = (i0 * 3 + i1) * 4 + i2;
            int channel = axis switch { 0 => i0, 1 => i1, _ => i2 };
            expected[flat] = TfliteAffine(scales[channel], q[flat], zeroPoints[channel]);
        }
        KernelTestData.AssertBitEqual(actual, expected);
    }

    [Test]
    public void RejectsFloat32InputNamingTheDtype()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("x", [1], 1f);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]));
        Assert.That(error!.Message, Does.Contain("float32"));
    }

    [Test]
    public void RejectsInt8InputWithoutQuantization()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input<sbyte>("q", TensorType.Int8, [1], new sbyte[] { 1 });
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]));
        Assert.That(error!.Message, Does.Contain("no quantization scale"));
    }

    [Test]
    public void RejectsPerChannelScalesThatDoNotMatchTheQuantizedDimension()
    {
        using var harness = new KernelTestHarness();
        var quantization = new QuantizationParameters([0.1f, 0.2f, 0.3f], [0, 0, 0], 1, [], []);
        int input = harness.Constant<sbyte>("q", TensorType.Int8, [3, 2], new sbyte[6], quantization);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]));
        Assert.That(error!.Message, Does.Contain("3 per-channel scales"));
    }

    [Test]
    public void RejectsZeroPointCountDifferentFromScaleCount()
    {
        using var harness = new KernelTestHarness();
        var quantization = new QuantizationParameters([0.1f, 0.2f], [0], 0, [], []);
        int input = harness.Constant<sbyte>("q", TensorType.Int8, [2], new sbyte[2], quantization);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DequantizeKernel(), "DEQUANTIZE", null, [input]));
        Assert.That(error!.Message, Does.Contain("zero points"));
    }
}
