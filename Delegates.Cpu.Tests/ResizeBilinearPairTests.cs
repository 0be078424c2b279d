using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Float RESIZE_BILINEAR with 8 channels: on Vector512 machines two neighbouring output pixels whose source columns are
/// neighbours run as one vector, the others one at a time. Every output keeps the reference's bits (the same products
/// and sums, left to right, separately rounded) for upscaling and downscaling, with and without half-pixel centres and
/// aligned corners, over batches, at 1, 2 and 3 threads; values include −0, NaN, ±inf and subnormals.
/// </summary>
[TestFixture]
public sealed class ResizeBilinearPairTests
{
    [TestCase(1, 64, 64, 128, 128, false, true, TestName = "64x64 -> 128x128, half-pixel centres (segmentation head)")]
    [TestCase(2, 5, 7, 11, 13, true, false, TestName = "2 batches 5x7 -> 11x13, aligned corners")]
    [TestCase(1, 16, 16, 9, 10, false, false, TestName = "16x16 -> 9x10 (downscaling)")]
    [TestCase(1, 8, 8, 16, 17, false, false, TestName = "8x8 -> 16x17, odd width")]
    [TestCase(1, 3, 1, 6, 2, false, true, TestName = "3x1 -> 6x2, one source column")]
    public void EveryOutputHasTheReferenceBits(int batches, int height, int width, int outHeight, int outWidth, bool alignCorners, bool halfPixel)
    {
        var random = new Random(height * 100 + width * 10 + outWidth);
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [batches, height, width, 8]);
        int y = mb.AddTensor("y", TensorType.Float32, [batches, outHeight, outWidth, 8]);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, mb.AddConstant("size", [2], new[] { outHeight, outWidth })], [y],
            new ResizeBilinearOptions(alignCorners, halfPixel));
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var input = DepthwiseRowGroupTests.Values(random, batches * height * width * 8);
        using var reference = new Interpreter(model);
        var expected = Run(reference, input);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var options = new InterpreterOptions { Threads = threads };
            options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
            using var interpreter = new Interpreter(model, options);
            var actual = Run(interpreter, input);
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
            Assert.That(actual, Is.EqualTo(expected), $"{threads} thread(s)");
        }
    }

    private static byte[] Run(Interpreter interpreter, float[] input)
    {
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFromBytes(MemoryMarshal.AsBytes(input.AsSpan()));
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }
}
