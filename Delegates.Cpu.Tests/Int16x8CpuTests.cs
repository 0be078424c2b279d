using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int16x8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, RESIZE_BILINEAR, QUANTIZE, DEQUANTIZE and SOFTMAX on the CPU delegate: every case of
/// OpCases.Int16ConvolutionCases and Int16ElementwiseCases (also re-run under every ISA switch by IsaPathTests) is
/// delegated and bit-identical with the reference at 1 and 2 threads, Invoke allocates nothing, and on a machine with
/// the instructions the vector paths are the ones that run.
/// </summary>
[TestFixture]
public sealed unsafe class Int16x8CpuTests
{
    [Test]
    public void Int16Convolutions_EveryCase_IsDelegatedAndBitIdenticalWithTheReference() =>
        AssertDelegatedAndBitIdentical(OpCases.Int16ConvolutionCases(new Random(2634)), 66);

    [Test]
    public void Int16Elementwise_EveryCase_IsDelegatedAndBitIdenticalWithTheReference() =>
        AssertDelegatedAndBitIdentical(OpCases.Int16ElementwiseCases(new Random(2635)), 49);

    private static void AssertDelegatedAndBitIdentical(IEnumerable<BitExactCase> cases, int expected)
    {
        int count = 0;
        foreach (var c in cases)
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(expected));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Int16Nodes_AllocateNothingPerInvoke(int which)
    {
        var cases = which >= 2 ? OpCases.Int16ElementwiseCases(new Random(5)) : OpCases.Int16ConvolutionCases(new Random(5));
        // 0: a gathered 3×3 CONV_2D; 1: a depthwise convolution; 2: a channel-vector MUL; 3: RESIZE_BILINEAR.
        string name = which switch
        {
            0 => "int16 CONV_2D 1x9x8x3", 1 => "int16 DEPTHWISE_CONV_2D 7x8x16", 2 => "int16 MUL channel vector ", _ => "RESIZE_BILINEAR int16 [2,6,5,8]",
        };
        InvokeAllocation.AssertNoneOnTheCpuDelegate(cases.First(c => c.Name.StartsWith(name, StringComparison.Ordinal)));
    }

    /// <summary>
    /// The nodes built directly on a reference interpreter's tensors take the path this machine should run — pixel
    /// pairs for 8-channel depthwise, single 512-bit groups for 24 channels, dot products for one output channel, two pixels a vector for
    /// eight, pixels in the lanes for an 8 → 1 head, the 16-lane requantization — and write the reference's bytes.
    /// </summary>
    [TestCase("depthwise 8", true)]
    [TestCase("depthwise 24", true)]
    [TestCase("conv 8 to 1", false)]
    [TestCase("conv 8 to 24", false)]
    [TestCase("conv 8 to 8", false)]
    [TestCase("head 8 to 1", false)]
    public void OnAnAvx512Machine_TheWidePathsRunAndMatchTheReference(string shape, bool depthwise)
    {
        if (!(Avx512BW.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated))
            Assert.Ignore("no AVX-512BW/DQ with Vector512 here (IsaPathTests cover the other paths)");
        int cin = 8, cout = shape.EndsWith("24", StringComparison.Ordinal) ? 24 : shape.EndsWith(" 1", StringComparison.Ordinal) ? 1 : 8;
        if (depthwise) cin = cout;
        int width = shape.StartsWith("head", StringComparison.Ordinal) ? 37 : 10;
        var c = depthwise
            ? OpCases.Int16WeightedCase(shape, new Random(71), BuiltinOperator.DepthwiseConv2D, [1, 9, width, cin], [1, 3, 3, cout], [1, 9, width, cout],
                new Accel.DepthwiseConv2DOptions(Accel.Padding.Same, 1, 1, 1, Accel.ActivationFunctionType.Relu6), true, true)
            : OpCases.Int16WeightedCase(shape, new Random(72), BuiltinOperator.Conv2D, [1, 9, width, cin], [cout, 3, 3, cin], [1, 9, width, cout],
                new Accel.Conv2DOptions(Accel.Padding.Same, 1, 1, Accel.ActivationFunctionType.None), true, true);
        using var run = new ReferenceRun(c);
        var node = run.Node;
        var (input, filter, bias, output) = (run.Input(0), run.Input(1), run.Input(2), run.Output);
        ICpuCompiledNode compiled;
        if (depthwise)
        {
            var p = (Accel.Operators.Definitions.DepthwiseConv2DParams)node.Params!;
            var dw = new Int16DepthwiseCpuNode(input, filter, bias, output, Kernels.ConvLayout.Of(input, filter, output, p.Geometry), 1, p.Int16!);
            Assert.That((dw.Wide, dw.Paired), Is.EqualTo((true, cout == 8)));
            compiled = dw;
        }
        else if (shape.StartsWith("head", StringComparison.Ordinal))
        {
            var p = (Accel.Operators.Definitions.Conv2DParams)node.Params!;
            var layout = Kernels.ConvLayout.Of(input, filter, output, p.Geometry);
            Assert.That(Int16PixelLaneConvCpuNode.Fits(layout, Int16Dot.Best()), Is.True);
            var head = new Int16PixelLaneConvCpuNode(input, filter, bias, output, layout, p.Int16!);
            Assert.That(head.LaneStep, Is.EqualTo(16));
            compiled = head;
        }
        else
        {
            var p = (Accel.Operators.Definitions.Conv2DParams)node.Params!;
            var conv = new Int16ConvCpuNode(input, filter, bias, output, Kernels.ConvLayout.Of(input, filter, output, p.Geometry), p.Int16!, Int16Dot.Best());
            Assert.That((conv.DotProducts, conv.EightChannelPairs, conv.VectorEpilogue, conv.InterleavedEpilogue), Is.EqualTo((cout == 1, cout == 8, true, cout == 24)));
            compiled = conv;
        }
        using var pool = new CpuThreadPool(2);
        compiled.Run(pool);
        Assert.That(run.Written, Is.EqualTo(run.Expected));
    }

    /// <summary>
    /// A depth multiplier above 1 runs as 1 over the input's channels repeated, on the vector paths (AVX2 or wider):
    /// 4 channels × 2 (8 output channels, pixel pairs with AVX-512), 8 × 2, 5 × 3 (a 15-channel tail group), and writes
    /// the reference's bytes.
    /// </summary>
    [TestCase(4, 2)]
    [TestCase(8, 2)]
    [TestCase(5, 3)]
    public void ADepthMultiplierAboveOneRunsOnTheVectorPathsAndMatchesTheReference(int channels, int multiplier)
    {
        if (!Avx2.IsSupported) Assert.Ignore("no AVX2 here: the scalar loops take the multiplier as it is");
        int cout = channels * multiplier;
        var c = OpCases.Int16WeightedCase("depthwise multiplier", new Random(75), BuiltinOperator.DepthwiseConv2D, [1, 9, 13, channels], [1, 3, 3, cout],
            [1, 9, 13, cout], new Accel.DepthwiseConv2DOptions(Accel.Padding.Same, 1, 1, multiplier, Accel.ActivationFunctionType.None), true, true);
        using var run = new ReferenceRun(c);
        var p = (Accel.Operators.Definitions.DepthwiseConv2DParams)run.Node.Params!;
        var (input, filter, output) = (run.Input(0), run.Input(1), run.Output);
        var dw = new Int16DepthwiseCpuNode(input, filter, run.Input(2), output, Kernels.ConvLayout.Of(input, filter, output, p.Geometry), multiplier, p.Int16!);
        Assert.That((dw.RepeatsChannels, dw.Vector), Is.EqualTo((true, true)));
        using var pool = new CpuThreadPool(2);
        dw.Run(pool);
        Assert.That(run.Written, Is.EqualTo(run.Expected));
    }

    /// <summary>
    /// The 8 → 1 head (Int16PixelLaneConvCpuNode) takes 16 pixels a step on AVX-512 and 8 on AVX2 (so with AVX-512
    /// switched off too), its last step overlapping, and writes the reference's bytes.
    /// </summary>
    [TestCase(37)]
    [TestCase(19)]
    public void TheHeadTakesPixelStepsOfTheWidestVectorAndMatchesTheReference(int width)
    {
        int expected = Int16Dot.Best() switch { Int16DotIsa.Avx512 => 16, Int16DotIsa.Avx2 => 8, _ => -1 };
        if (expected < 0) Assert.Ignore("no AVX2 here: the head runs on the GEMM's dot products");
        var c = OpCases.Int16WeightedCase("head", new Random(74), BuiltinOperator.Conv2D, [1, 9, width, 8], [1, 3, 3, 8], [1, 9, width, 1],
            new Accel.Conv2DOptions(Accel.Padding.Same, 1, 1, Accel.ActivationFunctionType.Relu), true, true);
        using var run = new ReferenceRun(c);
        var (input, filter, bias, output) = (run.Input(0), run.Input(1), run.Input(2), run.Output);
        var p = (Accel.Operators.Definitions.Conv2DParams)run.Node.Params!;
        var layout = Kernels.ConvLayout.Of(input, filter, output, p.Geometry);
        Assert.That(Int16PixelLaneConvCpuNode.Fits(layout, Int16Dot.Best()), Is.True);
        var head = new Int16PixelLaneConvCpuNode(input, filter, bias, output, layout, p.Int16!);
        Assert.That(head.LaneStep, Is.EqualTo(expected));
        using var pool = new CpuThreadPool(2);
        head.Run(pool);
        Assert.That(run.Written, Is.EqualTo(run.Expected));
    }

    /// <summary>
    /// On AVX-512 and AVX2 the CONV_2D GEMM requantizes straight from its 32-bit accumulators exactly where no sum can leave
    /// int32 (2^15 times the largest channel's Σ|w| at most 2^31 − 1: 510 taps of −128, not 514), and both forms write
    /// the reference's bytes at the sums' ends.
    /// </summary>
    [TestCase(510, true)]
    [TestCase(514, false)]
    public void TheGemmRequantizesFromItsAccumulatorsWhereEverySumFitsInt32(int depth, bool interleaved)
    {
        if (Int16Dot.Best() == Int16DotIsa.Scalar) Assert.Ignore("no AVX2 here: the GEMM runs its scalar loops");
        foreach (short value in new[] { short.MinValue, short.MaxValue })
        {
            var c = OpCases.Int16WeightedCase($"k{depth}", new Random(73), BuiltinOperator.Conv2D, [1, 2, 3, depth], [20, 1, 1, depth], [1, 2, 3, 20],
                new Accel.Conv2DOptions(Accel.Padding.Valid, 1, 1, Accel.ActivationFunctionType.None), true, true, outputScale: 5000f,
                inputValue: value, weightValue: sbyte.MinValue);
            using var run = new ReferenceRun(c);
            var (input, filter, bias, output) = (run.Input(0), run.Input(1), run.Input(2), run.Output);
            var p = (Accel.Operators.Definitions.Conv2DParams)run.Node.Params!;
            var conv = new Int16ConvCpuNode(input, filter, bias, output, Kernels.ConvLayout.Of(input, filter, output, p.Geometry), p.Int16!, Int16Dot.Best());
            Assert.That(conv.InterleavedEpilogue, Is.EqualTo(interleaved));
            using var pool = new CpuThreadPool(1);
            conv.Run(pool);
            Assert.That(run.Written, Is.EqualTo(run.Expected), $"input {value}");
            Assert.That(run.Expected.Distinct().Count(), Is.GreaterThan(1), "the case must not saturate every output");
        }
    }

    /// <summary>
    /// On AVX-512 and AVX2, ADD/SUB rescale their inputs with 32-bit products and MUL its product with the 32-bit output rescale
    /// (the ends of both inputs included), a MUL whose output shift is below −30 keeps the 64-bit rescale, and all
    /// write the reference's bytes.
    /// </summary>
    [TestCase("int16 ADD ends output scale 0.0015", true)]
    [TestCase("int16 SUB ends output scale 0.0015", true)]
    [TestCase("int16 MUL ends output scale 0.02", true)]
    [TestCase("int16 MUL ends output scale 3000", false)]
    [TestCase("int16 ADD ends output scale 1E-07", true)]
    [TestCase("int16 MUL ends output scale 2E-06", true)]
    [TestCase("int16 ADD same", true)]
    public void TheLinearElementwiseFormsRunWhereExact(string name, bool linear)
    {
        if (!Avx2.IsSupported) Assert.Ignore("no AVX2 here: the element-wise nodes run the reference's operations");
        var c = OpCases.Int16ElementwiseCases(new Random(2635)).First(c => c.Name.StartsWith(name, StringComparison.Ordinal));
        using var run = new ReferenceRun(c);
        var binary = new Int16BinaryCpuNode(run.Input(0), run.Input(1), run.Output,
            (Accel.Operators.Definitions.BinaryArithmeticParams)run.Node.Params!, subtract: name.Contains("SUB", StringComparison.Ordinal));
        Assert.That(binary.Linear, Is.EqualTo(linear));
        using var pool = new CpuThreadPool(2);
        binary.Run(pool);
        Assert.That(run.Written, Is.EqualTo(run.Expected));
    }

    /// <summary>
    /// The 16-lane (AVX-512), 8-lane (AVX2: the 64-bit product from two 32-bit ones, the arithmetic shift through the
    /// sign mask) and scalar requantizations equal <see cref="Accel.Operators.Definitions.Int16ConvParams.Requantize"/>
    /// on sums up to ±2^62 (products that wrap, as the reference's long product does), random biases (int64, or int32
    /// taken modulo 2^32), every total shift from 1 to 62, the largest mantissas (reduced to 0x7FFF) and random clamps;
    /// a count below 16 writes only its channels. Each width runs where the machine has it.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void TheRequantizationEqualsTheReferenceOnEveryVectorWidth(bool wideBias)
    {
        var random = new Random(wideBias ? 61 : 62);
        const int channels = 21;
        int widest = Avx512F.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated ? 16 : Avx2.IsSupported ? 8 : 1;
        long[] sums = new long[16];
        short[] output = new short[16];
        for (int round = 0; round < 62; round++)
        {
            var (q, bias) = RandomRescale(random, channels, round, wideBias);
            var multipliers = q.Multipliers;
            foreach (int maxLanes in new[] { 16, 8, 1 })
            {
                var requantizer = new Int16Requantizer(bias, q, channels, maxLanes, period: channels);
                Assert.That(requantizer.Width, Is.EqualTo(Math.Min(maxLanes, widest)));
                for (int c0 = 0; c0 < channels; c0 += 16)
                {
                    int count = Math.Min(16, channels - c0);
                    int bits = 2 + round;
                    for (int i = 0; i < 16; i++) sums[i] = i % 4 == 0 ? random.NextInt64(-(1L << 62), 1L << 62) : random.NextInt64(-(1L << bits), 1L << bits);
                    Array.Fill(output, (short)12345);
                    fixed (long* s = sums)
                    fixed (short* o = output)
                        requantizer.Store(s, c0, count, o);
                    for (int i = 0; i < 16; i++)
                    {
                        short expected = i < count ? q.Requantize(sums[i], bias[c0 + i], c0 + i) : (short)12345;
                        if (output[i] != expected)
                            Assert.Fail($"{maxLanes} lanes: channel {c0 + i}, sum {sums[i]}, bias {bias[c0 + i]}, {multipliers[Math.Min(c0 + i, channels - 1)]}: {output[i]} != {expected}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The 32-bit forms: exact int32 sums from every part of the range, in channel order (<c>StoreLanes</c>, 16 lanes
    /// on AVX-512 and 8 on AVX2, and its one-channel-at-a-time fallback) and interleaved (<c>Interleaved</c>, AVX-512, int64 bias), equal
    /// <see cref="Accel.Operators.Definitions.Int16ConvParams.Requantize"/> for int64 biases to ±2^40 (totals past int32),
    /// int32 biases taken modulo 2^32, every total shift 1–62 and groups starting at any channel.
    /// </summary>
    [TestCase(true, 16)]
    [TestCase(false, 16)]
    [TestCase(true, 8)]
    [TestCase(false, 8)]
    public void TheThirtyTwoBitSumsRequantizeAsTheReference(bool wideBias, int lanes)
    {
        if (lanes == 16 && !(Avx512BW.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated))
            Assert.Ignore("no AVX-512BW/DQ with Vector512 here: the 16-lane 32-bit form is not used");
        if (lanes == 8 && !Avx2.IsSupported) Assert.Ignore("no AVX2 here: the 8-lane 32-bit form is not used");
        var random = new Random(wideBias ? 63 : 64);
        const int channels = 37;
        int[] sums = new int[16], interleavedSums = new int[16];
        short[] output = new short[16];
        for (int round = 0; round < 62; round++)
        {
            var (q, bias) = RandomRescale(random, channels, round, wideBias);
            var multipliers = q.Multipliers;
            var requantizer = new Int16Requantizer(bias, q, channels, maxLanes: lanes, period: channels);
            var oneByOne = new Int16Requantizer(bias, q, channels, maxLanes: 1, period: channels);
            Assert.That((requantizer.Width, oneByOne.Width), Is.EqualTo((lanes, 1)));
            Assert.That(requantizer.TakesInt32Sums(int.MaxValue), Is.EqualTo(wideBias));
            foreach (int c0 in new[] { 0, 16, 5, channels - 16 })
            {
                int bits = Math.Min(31, 2 + round);
                for (int i = 0; i < 16; i++)
                    sums[i] = i % 4 == 0 ? random.Next(int.MinValue, int.MaxValue) : (int)random.NextInt64(-(1L << bits) + 1, 1L << bits);
                sums[1] = int.MinValue;
                sums[2] = int.MaxValue;
                for (int i = 0; i < 8; i++) (interleavedSums[2 * i], interleavedSums[2 * i + 1]) = (sums[i], sums[8 + i]);
                var forms = new List<(string, Vector256<short>)>();
                Array.Fill(output, (short)12345);
                fixed (short* o = output)
                {
                    if (lanes == 16) requantizer.StoreLanes(Vector512.Create(sums), c0, o);
                    else requantizer.StoreLanes(Vector256.Create(sums), c0, o);
                    forms.Add(("in channel order", Vector256.Create(output)));
                    if (lanes == 8)
                    {
                        Array.Fill(output, (short)12345);
                        oneByOne.StoreLanes(Vector256.Create(sums), c0, o);
                        forms.Add(("one by one", Vector256.Create(output)));
                    }
                }
                if (wideBias && lanes == 16) forms.Add(("interleaved", requantizer.Interleaved(Vector512.Create(interleavedSums), c0)));
                if (wideBias && lanes == 8)
                {
                    // AVX2's interleave: lane 2i channel i, lane 2i + 1 channel 4 + i.
                    var eight = new int[8];
                    for (int i = 0; i < 4; i++) (eight[2 * i], eight[2 * i + 1]) = (sums[i], sums[4 + i]);
                    forms.Add(("interleaved", Vector256.Create(requantizer.Interleaved(Vector256.Create(eight), c0), Vector128<short>.Zero)));
                }
                foreach (var (form, values) in forms)
                    for (int i = 0; i < lanes; i++)
                    {
                        short expected = q.Requantize(sums[i], bias[c0 + i], c0 + i);
                        if (values.GetElement(i) != expected)
                            Assert.Fail($"{form}: channel {c0 + i}, sum {sums[i]}, bias {bias[c0 + i]}, {multipliers[c0 + i]}: {values.GetElement(i)} != {expected}");
                    }
            }
        }
    }

    [Test]
    public void OnAnAvx512Machine_TheRequantizationRunsSixteenLanes()
    {
        if (!(Avx512F.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated))
            Assert.Ignore("no AVX-512F/DQ with Vector512 here: the scalar requantization runs (IsaPathTests cover it)");
        var q = new Accel.Operators.Definitions.Int16ConvParams([new Accel.Numerics.QuantizedMultiplier(1 << 30, -3)], -32768, 32767, true,
            Accel.Operators.Definitions.Int16x8Rescale.Reduced16BitMultiplier);
        Assert.That(new Int16Requantizer(null, q with { Multipliers = [.. Enumerable.Repeat(q.Multipliers[0], 16)] }, 16, maxLanes: 16).IsVector, Is.True);
        var single = q with { Multipliers = [.. Enumerable.Repeat(q.Multipliers[0], 16)], Rescale = Accel.Operators.Definitions.Int16x8Rescale.FullMultiplierSingleRounding };
        Assert.That(new Int16Requantizer(null, single, 16, maxLanes: 16).IsVector, Is.False, "FULLY_CONNECTED's single rounding stays scalar");
    }

    /// <summary>
    /// Per-channel rescales for the requantization tests: mantissas up to the largest (reduced to 0x7FFF), total shifts
    /// (round + c) mod 62 + 1 (every one from 1 to 62 over the rounds), a random clamp, and biases to ±2^40 (int64) or
    /// over all of int32.
    /// </summary>
    private static (Accel.Operators.Definitions.Int16ConvParams Params, long[] Bias) RandomRescale(Random random, int channels, int round, bool wideBias)
    {
        var multipliers = Enumerable.Range(0, channels).Select(c =>
            new Accel.Numerics.QuantizedMultiplier(c % 5 == 0 ? int.MaxValue - c : random.Next(1 << 30, int.MaxValue), 15 - (round + c) % 62 - 1)).ToArray();
        int low = random.Next(-32768, 1), high = random.Next(0, 32768);
        var q = new Accel.Operators.Definitions.Int16ConvParams([.. multipliers], low, high, wideBias,
            Accel.Operators.Definitions.Int16x8Rescale.Reduced16BitMultiplier);
        long[] bias = [.. Enumerable.Range(0, channels).Select(_ => wideBias ? random.NextInt64(-(1L << 40), 1L << 40) : random.Next(int.MinValue, int.MaxValue))];
        return (q, bias);
    }

    /// <summary>
    /// A one-node int16 case run on the reference interpreter: its output kept as <see cref="Expected"/>, then cleared,
    /// so a CPU node built on the same tensors writes it again (<see cref="Written"/>).
    /// </summary>
    private sealed class ReferenceRun : IDisposable
    {
        private readonly Model _model;
        private readonly Interpreter _interpreter;

        public ReferenceRun(BitExactCase c)
        {
            _model = Model.FromBytes(c.Model);
            _interpreter = new Interpreter(_model);
            _interpreter.AllocateTensors();
            for (int i = 0; i < c.Inputs.Length; i++) ((short[])c.Inputs[i]).CopyTo(_interpreter.GetInputTensor(i).Write<short>());
            _interpreter.Invoke();
            Expected = Output.Read<short>().ToArray();
            Output.Write<short>().Clear();
        }

        public short[] Expected { get; }

        public InterpreterGraphNode Node => _interpreter.Graph[0];

        public Tensor Input(int index) => _interpreter.GetTensor(Node.Inputs[index]);

        public Tensor Output => _interpreter.GetOutputTensor(0);

        public short[] Written => Output.Read<short>().ToArray();

        public void Dispose()
        {
            _interpreter.Dispose();
            _model.Dispose();
        }
    }
}
