using System.Buffers.Binary;
using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>MediaPipe's Convolution2DTransposeBias on the CPU accelerator: the reference's gather, bit for bit.</summary>
[TestFixture]
public sealed class IlgpuTransposeConvBiasTests
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

    [Test]
    public void RandomGeometriesMatchTheReferenceBitForBit()
    {
        var random = new Random(101);
        int[] paddings = [PaddingSame, PaddingValid, PaddingUnknown];
        for (int i = 0; i < 36; i++)
        {
            int padding = paddings[i % paddings.Length];
            int batch = random.Next(1, 3), h = random.Next(1, 7), w = random.Next(1, 7);
            int cin = random.Next(1, 10), cout = random.Next(1, 9), kh = random.Next(1, 5), kw = random.Next(1, 5);
            int strideH = random.Next(1, 4), strideW = random.Next(1, 4);
            int oh = OutputSize(padding, h, kh, strideH), ow = OutputSize(padding, w, kw, strideW);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", batch, h, w, cin);
            int weights = mb.AddConstant("weights", [cout, kh, kw, cin], IlgpuHarness.Values(random, cout * kh * kw * cin, 0.03));
            int bias = mb.AddConstant("bias", [cout], IlgpuHarness.Values(random, cout, 0.1));
            int y = mb.Tensor("y", batch, oh, ow, cout);
            mb.AddCustomOperator("Convolution2DTransposeBias", [x, weights, bias], [y], Options(padding, strideW, strideH));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"transpose conv #{i} [{batch},{h},{w},{cin}] k {kh}x{kw}→{cout} padding {padding} s {strideH}x{strideW}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.05), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void OtherCustomOperatorsAreRefusedWithAReason()
    {
        var resolver = Kernels.OpResolver.CreateReference();
        resolver.AddCustom("Identity", () => new IdentityKernel());
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4);
        int y = mb.Tensor("y", 4);
        mb.AddCustomOperator("Identity", [x], [y], []);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions { OpResolver = resolver };
        options.Delegates.Add(new DelegateSelection(new IlgpuDelegate(IlgpuAcceleratorKind.Cpu)));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single().Reason, Does.Contain("Identity has no ILGPU kernel"));
    }

    private sealed class IdentityKernel : Kernels.IKernel
    {
        public void Prepare(Kernels.KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

        public void Invoke(Kernels.KernelContext context) =>
            context.Input(0).Read<float>().CopyTo(context.Output(0).Write<float>());
    }
}
