using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>RESIZE_BILINEAR on the CPU accelerator: every option combination, up and down, bit for bit.</summary>
[TestFixture]
public sealed class IlgpuResizeBilinearTests
{
    [Test]
    public void RandomSizesAndOptionsMatchTheReferenceBitForBit()
    {
        var random = new Random(91);
        var options = new[] { (false, false), (true, false), (false, true) };
        for (int i = 0; i < 36; i++)
        {
            var (alignCorners, halfPixelCenters) = options[i % options.Length];
            int batch = random.Next(1, 3), h = random.Next(1, 9), w = random.Next(1, 9), c = random.Next(1, 10);
            int outH = random.Next(1, 20), outW = random.Next(1, 20);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", batch, h, w, c);
            int y = mb.Tensor("y", batch, outH, outW, c);
            mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, mb.AddConstant("size", [2], new[] { outH, outW })], [y],
                new ResizeBilinearOptions(alignCorners, halfPixelCenters));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"resize #{i} [{batch},{h},{w},{c}] → {outH}x{outW} align={alignCorners} half={halfPixelCenters}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.1), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void AlignCornersWithHalfPixelCentersIsRefusedByTheReferenceAndNeverReachesTheDelegate()
    {
        // The reference rejects the combination at Prepare (as TFLite does); the delegate must not be the one to decide.
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 2, 2, 1);
        int y = mb.Tensor("y", 1, 4, 4, 1);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, mb.AddConstant("size", [2], new[] { 4, 4 })], [y], new ResizeBilinearOptions(true, true));
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new IlgpuDelegate(IlgpuAcceleratorKind.Cpu)));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        var error = Assert.Catch(() => interpreter.AllocateTensors());
        Assert.That(error!.Message, Does.Contain("align_corners"));
    }
}
