using System.Buffers.Binary;
using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>MediaPipe's Convolution2DTransposeBias on the CPU delegate: bit-exact with the reference gather.</summary>
public sealed class TransposeConvBiasDelegateTests
{
    private const int PaddingUnknown = 0, PaddingSame = 1, PaddingValid = 2;

    private static byte[] Options(int padding, int strideW, int strideH)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, padding);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), strideW);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), strideH);
        return bytes;
    }

    private static int OutputSize(int padding, int input, int filter, int stride)
    {
        int totalPad = padding == PaddingSame ? Math.Max(0, filter - (input - 1) % stride - 1) : 0;
        return stride * (input - 1) + filter - totalPad;
    }

    private static void CheckCase(Random random, int batches, int height, int width, int inputChannels, int outputChannels,
        int kh, int kw, int padding, int strideW, int strideH, double specials, string label, bool payloadNaNs = false)
    {
        float[] weightSpecials = payloadNaNs ? SpecialNumbers : SpecialValues;
        float[] inputSpecials = payloadNaNs ? [.. SpecialNumbers, .. PayloadNaNs, .. PayloadNaNs] : SpecialValues;
        float[] weights = WithSpecials(random, Random(random, outputChannels * kh * kw * inputChannels), specials / 4, weightSpecials);
        float[] bias = WithSpecials(random, Random(random, outputChannels), specials / 4, weightSpecials);
        float[] input = WithSpecials(random, Random(random, batches * height * width * inputChannels, 4f), specials, inputSpecials);
        int oh = OutputSize(padding, height, kh, strideH), ow = OutputSize(padding, width, kw, strideW);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [batches, height, width, inputChannels]);
        int w = b.AddConstant("weights", [outputChannels, kh, kw, inputChannels], weights);
        int c = b.AddConstant("bias", [outputChannels], bias);
        int y = b.AddTensor("output", TensorType.Float32, [batches, oh, ow, outputChannels]);
        b.AddCustomOperator("Convolution2DTransposeBias", [x, w, c], [y], Options(padding, strideW, strideH));
        b.AddInput(x);
        b.AddOutput(y);
        AssertMatchesReference(b.Build(), input,
            $"{label}: input [{batches},{height},{width},{inputChannels}], weights [{outputChannels},{kh},{kw}], padding {padding}, strides {strideW}×{strideH}");
    }

    [Test]
    public void SelfieSegmentationHeadMatchesTheReferenceBitForBit()
    {
        // selfie_segmentation's last layer at a reduced size: 2×2 taps, stride 2, SAME, 16 → 1 channel.
        var random = new Random(51);
        CheckCase(random, 1, 18, 13, 16, 1, 2, 2, PaddingSame, 2, 2, 0, "selfie head");
    }

    [Test]
    public void OutputChannelTailsOfEveryVectorWidthMatchTheReferenceBitForBit()
    {
        var random = new Random(52);
        foreach (int channels in TailChannels)
            CheckCase(random, 1, 4, 5, 1 + channels % 7, channels, 3, 3, PaddingSame, 2, 2, 0, $"Cout {channels}");
    }

    [Test]
    public void RandomShapesStridesAndPaddingsMatchTheReferenceBitForBit()
    {
        var random = new Random(53);
        int[] paddings = [PaddingUnknown, PaddingSame, PaddingValid];
        for (int i = 0; i < 50; i++)
        {
            CheckCase(random, random.Next(1, 3), random.Next(1, 8), random.Next(1, 8), random.Next(1, 10),
                TailChannels[random.Next(TailChannels.Length)], random.Next(1, 6), random.Next(1, 6), paddings[random.Next(3)],
                random.Next(1, 5), random.Next(1, 5), 0, $"case {i}");
        }
    }

    [Test]
    public void SpecialValuesAndNaNPayloadsPropagateExactlyAsInTheReference()
    {
        var random = new Random(54);
        for (int i = 0; i < 16; i++)
            CheckCase(random, 1, 4 + i % 3, 5, 1 + i % 6, TailChannels[(i * 3) % TailChannels.Length], 2 + i % 3, 3, PaddingSame,
                1 + i % 3, 2, 0.2, $"specials {i}", payloadNaNs: i % 2 == 1);
    }
}
