using Accel.Delegates.Cpu.Kernels;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;
using Accel.Operators.Definitions;
using System.Runtime.Intrinsics;
using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's integer kernels (docs/numerics.md §Quantized execution): CONV_2D, DEPTHWISE_CONV_2D and
/// FULLY_CONNECTED, and (further down) the element-wise, pool and (de)quantize nodes, a whole int8 network and its
/// allocations. For the convolutions:
/// every case of <see cref="OpCases.QuantizedConvolutionCases"/> is delegated whole and byte-identical to the reference
/// at 1 and 2 threads (this process's best path: VNNI for int8 where the CPU has it, vpmaddwd otherwise; IsaPathTests
/// runs the same cases on the other paths in child processes), and the GEMM itself gives the exact int32 sums on every
/// path this machine can run.
/// </summary>
[TestFixture]
public sealed class QuantizedConvolutionTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.QuantizedConvolutionCases(new Random(1313)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void IsDelegatedAndByteIdenticalToTheReference(BitExactCase c)
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            Assert.That(outcome.Mismatch, Is.Null, outcome.ToString());
            Assert.That(outcome.FullyDelegated && outcome.ExecutedNodes == 1, Is.True, outcome.ToString());
        }
    }

    private static IEnumerable<TestCaseData> ElementwiseCases() =>
        OpCases.QuantizedElementwiseCases(new Random(1314)).Concat(OpCases.QuantizedBinaryCases(new Random(1315))).Concat(OpCases.QuantizedResizeCases(new Random(1316))).Select(c => new TestCaseData(c).SetName(c.Name));

    /// <summary>QUANTIZE, DEQUANTIZE, LOGISTIC, HARD_SWISH, the pools, ADD, SUB and MUL on int8/uint8: delegated, byte-identical.</summary>
    [TestCaseSource(nameof(ElementwiseCases))]
    public void TheElementwiseAndPoolNodeIsDelegatedAndByteIdentical(BitExactCase c) => IsDelegatedAndByteIdenticalToTheReference(c);

    private static IEnumerable<string> Paths() => Enum.GetNames<QuantizedIsa>();

    /// <summary>
    /// Packed weights × rows on one path against Σ (x + x_off)(w + w_off) + bias computed directly, requantized with the
    /// reference's MultiplyByQuantizedMultiplier: random int8 data with zero points at both ends, K not a multiple of 4,
    /// channels off the block size, 1–4 rows.
    /// </summary>
    [TestCaseSource(nameof(Paths))]
    public unsafe void TheGemmGivesTheExactSumsOnEveryPathThisMachineRuns(string path)
    {
        var isa = Enum.Parse<QuantizedIsa>(path);
        if (!QuantizedIsas.IsSupported(isa)) Assert.Ignore($"this machine (as this process sees it) cannot run the {isa} path");
        var random = new Random(7);
        foreach (int inputZeroPoint in new[] { -128, 127, 0, -5 })
        foreach (var (depth, channels, rows) in new[] { (1, 1, 1), (7, 9, 3), (13, 16, 4), (64, 17, 2), (301, 5, 4) })
        {
            byte[] weights = new byte[channels * depth];
            random.NextBytes(weights);
            int[] bias = Enumerable.Range(0, channels).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
            byte[] input = new byte[rows * depth];
            random.NextBytes(input);
            // Multipliers 2^-8 .. 2^-12 keep the high bits of every sum visible through the int8 clamp.
            var q = new QuantizedConvParams(-inputZeroPoint, 0, 0,
                [.. Enumerable.Range(0, channels).Select(c => Quantization.QuantizeMultiplier(Math.Pow(2, -8 - c % 5)))], -128, 127);
            var packed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, isa);
            var epilogue = new QuantizedEpilogue(q);
            byte[] rowBuffer = new byte[QuantizedGemm.TileRows * packed.RowBytes];
            byte[] output = new byte[rows * channels];
            fixed (byte* x = input, r = rowBuffer, y = output)
            {
                for (int row = 0; row < rows; row++)
                {
                    QuantizedGemm.ConvertRow(x + row * depth, depth, r + row * packed.RowBytes, -inputZeroPoint, true, isa);
                    QuantizedGemm.ClearTail(r + row * packed.RowBytes, depth, packed);
                }
                QuantizedGemm.Run(packed, epilogue, r, rows, y, channels, 0, packed.Blocks);
            }
            for (int row = 0; row < rows; row++)
            for (int c = 0; c < channels; c++)
            {
                int acc = bias[c];
                for (int k = 0; k < depth; k++) acc = unchecked(acc + (sbyte)weights[c * depth + k] * ((sbyte)input[row * depth + k] - inputZeroPoint));
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[c]), -128, 127);
                Assert.That((sbyte)output[row * channels + c], Is.EqualTo(expected),
                    $"{isa}: zero point {inputZeroPoint}, K {depth}, channel {c} of {channels}, row {row} of {rows} (sum {acc})");
            }
        }
    }

    /// <summary>
    /// The VNNI GEMM with AVX-512 over 32-channel tiles (four blocks, 16 accumulators), 24-channel tiles (three blocks)
    /// and the short rounding: channel counts of whole tiles, a tile plus a pair plus a partial block, tiles plus three
    /// blocks, 1–4 rows, a channel range split as two threads split it;
    /// right shifts 2–15 with output zero points at both ends (short form built), the same with a left shift of 2 on one
    /// channel (short form built: within its bound), and with a left shift of 20 or a bias that lets the sum wrap (short
    /// form refused, general steps); the clamp int8's whole range (the saturating stores) and a narrower one — every byte
    /// the reference's.
    /// </summary>
    [Test]
    public unsafe void TheGemmsThirtyTwoChannelTilesAndShortRoundingGiveTheReferenceBytes()
    {
        if (!QuantizedIsas.IsSupported(QuantizedIsa.AvxVnni) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.Ignore("this machine (as this process sees it) has no AVX-VNNI with AVX-512F");
        var random = new Random(29);
        int shortForms = 0, generalForms = 0;
        foreach (var (depth, channels, rows) in new[] { (64, 32, 4), (29, 72, 3), (8, 64, 1), (300, 45, 4), (4, 96, 2), (40, 24, 1), (17, 56, 3), (12, 56, 4), (33, 56, 1) })
        foreach (int variant in new[] { 0, 1, 2, 3 })
        foreach (int outputZeroPoint in new[] { -128, 127, 3 })
        foreach (var (min, max) in new[] { (-128, 127), (-100, 90) }) // int8's whole range (saturating stores) and a narrower clamp
        {
            int inputZeroPoint = random.Next(-128, 128);
            byte[] weights = new byte[channels * depth];
            random.NextBytes(weights);
            for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81; // symmetric int8 weights
            int[] bias = Enumerable.Range(0, channels).Select(_ => random.Next(-1 << 20, 1 << 20)).ToArray();
            if (variant == 2) bias[channels - 1] = int.MaxValue - 5; // the sum may wrap: no short form
            byte[] input = new byte[rows * depth];
            random.NextBytes(input);
            var q = new QuantizedConvParams(-inputZeroPoint, 0, outputZeroPoint,
                [.. Enumerable.Range(0, channels).Select(c => variant is 1 or 3 && c == channels / 2
                    ? Quantization.QuantizeMultiplier(variant == 1 ? 3.0 : 3 << 19) // a left shift of 2 (within the short form's bound) or 20 (beyond it)
                    : Quantization.QuantizeMultiplier(Math.Pow(2, -2 - c % 14) * (1 + 0.99 * random.NextDouble())))], min, max);
            var epilogue = new QuantizedEpilogue(q);
            var packed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, QuantizedIsa.AvxVnni, epilogue);
            if (packed.Short is null) generalForms++;
            else shortForms++;
            Assert.That(packed.Short is null, Is.EqualTo(variant >= 2), $"variant {variant}: the short form is built only where its bound holds");
            byte[] rowBuffer = new byte[QuantizedGemm.TileRows * packed.RowBytes];
            byte[] output = new byte[rows * channels];
            fixed (byte* x = input, r = rowBuffer, y = output)
            {
                for (int row = 0; row < rows; row++)
                {
                    QuantizedGemm.ConvertRow(x + row * depth, depth, r + row * packed.RowBytes, -inputZeroPoint, true, QuantizedIsa.AvxVnni);
                    QuantizedGemm.ClearTail(r + row * packed.RowBytes, depth, packed);
                }
                int split = packed.Blocks / 2; // two channel groups, as ConvLoops.ChannelGroups gives two threads
                QuantizedGemm.Run(packed, epilogue, r, rows, y, channels, 0, split);
                QuantizedGemm.Run(packed, epilogue, r, rows, y, channels, split, packed.Blocks);
            }
            for (int row = 0; row < rows; row++)
            for (int c = 0; c < channels; c++)
            {
                int acc = bias[c];
                for (int k = 0; k < depth; k++) acc = unchecked(acc + (sbyte)weights[c * depth + k] * ((sbyte)input[row * depth + k] - inputZeroPoint));
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[c]) + outputZeroPoint, min, max);
                Assert.That((sbyte)output[row * channels + c], Is.EqualTo(expected),
                    $"K {depth}, channel {c} of {channels}, row {row} of {rows}, variant {variant}, zero points {inputZeroPoint}/{outputZeroPoint}, clamp [{min}, {max}] (sum {acc})");
            }
        }
        Assert.That((shortForms, generalForms), Is.EqualTo((108, 108)));
    }

    /// <summary>
    /// The AVX2 requantization against the reference's scalar MultiplyByQuantizedMultiplier on adversarial values:
    /// mantissas 0, 2^30, 2^31 − 1 and random, every shift from −31 to 31, sums at int32's ends and random, output
    /// clamps at the int8 ends and narrow ones.
    /// </summary>
    [Test]
    public unsafe void TheVectorRequantizationEqualsTheScalarOneOnAdversarialValues()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.Ignore("this machine (as this process sees it) has no AVX2");
        var random = new Random(31);
        int[] mantissas = [0, 1 << 30, int.MaxValue, (1 << 30) + 1, int.MaxValue - 1];
        int[] sums = [int.MinValue, int.MaxValue, 0, -1, 1, int.MinValue + 1, int.MaxValue - 1, 1 << 30, -(1 << 30), 12345, -12345];
        int checkedLanes = 0;
        int* acc = stackalloc int[8];
        for (int shift = -31; shift <= 31; shift++)
        for (int round = 0; round < 40; round++)
        {
            var multipliers = Enumerable.Range(0, 8).Select(i => new QuantizedMultiplier(
                i < mantissas.Length && round == 0 ? mantissas[i] : random.Next(1 << 30, int.MaxValue), shift)).ToArray();
            var (min, max) = round % 2 == 0 ? (-128, 127) : (-3, 9);
            int offset = round % 3 == 0 ? -128 : random.Next(-128, 128);
            var epilogue = new QuantizedEpilogue(new QuantizedConvParams(0, 0, offset, [.. multipliers], min, max));
            for (int lane = 0; lane < 8; lane++)
                acc[lane] = round < 3 ? sums[(lane + round * 8) % sums.Length] : random.Next(int.MinValue, int.MaxValue) >> random.Next(0, 31);
            var result = epilogue.Requantize(System.Runtime.Intrinsics.X86.Avx.LoadVector256(acc), 0);
            for (int lane = 0; lane < 8; lane++)
            {
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc[lane], multipliers[lane]) + offset, min, max);
                Assert.That(result.GetElement(lane), Is.EqualTo(expected), $"sum {acc[lane]}, mantissa {multipliers[lane].Multiplier}, shift {shift}");
                checkedLanes++;
            }
        }
        Assert.That(checkedLanes, Is.EqualTo(63 * 40 * 8));
    }

    /// <summary>
    /// The 16-lane AVX-512 requantization (the depthwise kernel's epilogue) against the reference's scalar
    /// MultiplyByQuantizedMultiplier: the same adversarial mantissas, every shift from −31 to 31, sums at int32's ends,
    /// per-lane different multipliers and shifts, wide and narrow clamps.
    /// </summary>
    [Test]
    public unsafe void TheSixteenLaneRequantizationEqualsTheScalarOneOnAdversarialValues()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported) Assert.Ignore("this machine (as this process sees it) has no AVX-512F");
        var random = new Random(37);
        int[] mantissas = [0, 1 << 30, int.MaxValue, (1 << 30) + 1, int.MaxValue - 1];
        int[] sums = [int.MinValue, int.MaxValue, 0, -1, 1, int.MinValue + 1, int.MaxValue - 1, 1 << 30, -(1 << 30), 12345, -12345];
        int checkedLanes = 0;
        int* acc = stackalloc int[16];
        for (int shift = -31; shift <= 31; shift++)
        for (int round = 0; round < 40; round++)
        {
            // Lanes 8..15 get a neighbouring shift, so one vector mixes left and right shifts.
            var multipliers = Enumerable.Range(0, 16).Select(i => new QuantizedMultiplier(
                i < mantissas.Length && round == 0 ? mantissas[i] : random.Next(1 << 30, int.MaxValue),
                i < 8 ? shift : Math.Clamp(shift + random.Next(-3, 4), -31, 31))).ToArray();
            var (min, max) = round % 2 == 0 ? (-128, 127) : (-3, 9);
            int offset = round % 3 == 0 ? -128 : random.Next(-128, 128);
            var epilogue = new QuantizedEpilogue(new QuantizedConvParams(0, 0, offset, [.. multipliers], min, max));
            for (int lane = 0; lane < 16; lane++)
                acc[lane] = round < 3 ? sums[(lane + round * 16) % sums.Length] : random.Next(int.MinValue, int.MaxValue) >> random.Next(0, 31);
            var result = epilogue.Requantize(Vector512.Load(acc), 0);
            for (int lane = 0; lane < 16; lane++)
            {
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc[lane], multipliers[lane]) + offset, min, max);
                Assert.That(result.GetElement(lane), Is.EqualTo(expected), $"sum {acc[lane]}, mantissa {multipliers[lane].Multiplier}, shift {multipliers[lane].Shift}");
                checkedLanes++;
            }
        }
        Assert.That(checkedLanes, Is.EqualTo(63 * 40 * 16));
    }

    [Test]
    public void TheInt8NetworkRunsWhollyOnTheCpuDelegateWithTheReferencesBits()
    {
        // QUANTIZE → CONV_2D → MAX_POOL_2D → LOGISTIC → DEQUANTIZE → RELU: every node has a CPU kernel now.
        using var cpu = new CpuDelegate(threads: 1);
        var model = QuantizedNetwork.Build();
        var inputs = new[] { DelegateHarness.Values(new Random(5), 6 * 6 * 3).Select(v => v / 8).ToArray() };
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, cpu, out var plan);
        DelegateHarness.AssertSameBits(expected, actual, "int8 network", cpu.Name);
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(6));
    }

    /// <summary>
    /// Which layers the small pointwise kernel takes (so the bit-exact cases above with those shapes run it): int8 on
    /// AVX-VNNI with AVX-512, 1×1 stride 1 unpadded, Cin 4/8/12/16, Cout 8/16 — pose_landmark_full's 8 → 8 layer at
    /// 256×256 — Cin up to 128 with Cout 8, and up to 48 with Cout 16 or 24 — and not a 3×3 or strided layer, Cin 3,
    /// 132 → 8, 52 → 16 or 24, Cout 32, or the uint8 (vpmaddwd) path.
    /// </summary>
    [Test]
    public void TheSmallPointwiseKernelTakesOnlyTinyUnpaddedOneByOneInt8Layers()
    {
        if (!QuantizedIsas.IsSupported(QuantizedIsa.AvxVnni) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.Ignore("this machine (as this process sees it) has no AVX-VNNI with AVX-512F");
        static ConvLayout Layer(int cin, int cout, int k = 1, int stride = 1, int pad = 0) =>
            new(1, 256, 256, cin, k, k, 256 / stride, 256 / stride, cout, stride, stride, 1, 1, pad, pad);
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(8, 8), QuantizedIsa.AvxVnni), Is.True, "8 -> 8");
        foreach (int cin in new[] { 4, 12, 16 })
        foreach (int cout in new[] { 8, 16 })
            Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(cin, cout), QuantizedIsa.AvxVnni), Is.True, $"{cin} -> {cout}");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(8, 8, k: 3, pad: 1), QuantizedIsa.AvxVnni), Is.False, "3x3");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(8, 8, stride: 2), QuantizedIsa.AvxVnni), Is.False, "stride 2");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(3, 8), QuantizedIsa.AvxVnni), Is.False, "Cin 3");
        foreach (int cin in new[] { 24, 32, 64, 128 })
            Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(cin, 8), QuantizedIsa.AvxVnni), Is.True, $"{cin} -> 8");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(132, 8), QuantizedIsa.AvxVnni), Is.False, "Cin 132 -> 8 (the GEMM)");
        foreach (int cin in new[] { 8, 24, 48 })
        foreach (int cout in new[] { 16, 24 })
            Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(cin, cout), QuantizedIsa.AvxVnni), Is.True, $"{cin} -> {cout}");
        foreach (int cout in new[] { 16, 24 })
            Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(52, cout), QuantizedIsa.AvxVnni), Is.False, $"Cin 52 -> {cout} (the GEMM)");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(8, 32), QuantizedIsa.AvxVnni), Is.False, "Cout 32");
        Assert.That(QuantizedSmallPointwiseCpuNode.Fits(Layer(8, 8), QuantizedIsa.Avx2), Is.False, "the uint8 path");
    }

    /// <summary>
    /// Which layers the first-layer kernel on tap pairs takes (so the bit-exact first-layer cases above run it on a CPU
    /// with AVX-512BW and no AVX-VNNI, and in IsaPathTests' child without AVX-VNNI): int8 with symmetric weights on the
    /// vpmaddwd path, Cin ≤ 4 with KW·Cin ≤ 16, Cout 16, 24 or 32, no dilation — not on the AVX-VNNI path (the VNNI
    /// first-layer kernel), nor Cout 8, Cin 5, a 5×5 filter over 4 channels, a dilation, uint8 or asymmetric weights.
    /// </summary>
    [Test]
    public void TheFirstLayerPairsKernelTakesImageLayersOnTheVpmaddwdPath()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512BW.IsSupported || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Ignore("this machine (as this process sees it) has no AVX-512BW with Vector512");
        static ConvLayout Layer(int cin, int cout, int k = 3, int dilation = 1) =>
            new(1, 64, 64, cin, k, k, 32, 32, cout, 2, 2, dilation, dilation, 1, 1);
        var symmetric = new QuantizedConvParams(5, 0, 0, [Quantization.QuantizeMultiplier(0.01)], -128, 127);
        foreach (int cin in new[] { 1, 3, 4 })
        foreach (int cout in new[] { 16, 24, 32 })
            Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(cin, cout), QuantizedIsa.Avx2, symmetric, signed: true), Is.True, $"{cin} -> {cout}");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 32, k: 5), QuantizedIsa.Avx2, symmetric, signed: true), Is.True, "5x5x3 -> 32");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 16), QuantizedIsa.AvxVnni, symmetric, signed: true), Is.False, "the AVX-VNNI path");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 8), QuantizedIsa.Avx2, symmetric, signed: true), Is.False, "Cout 8");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(5, 16), QuantizedIsa.Avx2, symmetric, signed: true), Is.False, "Cin 5");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(4, 16, k: 5), QuantizedIsa.Avx2, symmetric, signed: true), Is.False, "KW·Cin 20");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 16, dilation: 2), QuantizedIsa.Avx2, symmetric, signed: true), Is.False, "dilation 2");
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 16), QuantizedIsa.Avx2, symmetric, signed: false), Is.False, "uint8");
        var asymmetric = new QuantizedConvParams(5, -3, 0, [Quantization.QuantizeMultiplier(0.01)], -128, 127);
        Assert.That(QuantizedFirstLayerPairsCpuNode.Fits(Layer(3, 16), QuantizedIsa.Avx2, asymmetric, signed: true), Is.False, "a weight zero point");
    }

    private static IEnumerable<TestCaseData> AllocationCases() =>
        OpCases.QuantizedConvolutionCases(new Random(1313)).Where(c => c.Name.StartsWith("DEPTHWISE_CONV_2D int8 9x9x64", StringComparison.Ordinal)
                || c.Name.StartsWith("DEPTHWISE_CONV_2D int8 7x19x8 k3 s1 d1 Same multiplier 2", StringComparison.Ordinal))
            .Concat(OpCases.QuantizedElementwiseCases(new Random(1314)).Where(c => c.Name.StartsWith("QUANTIZE float32 -> int8 (", StringComparison.Ordinal)))
            .Concat(OpCases.QuantizedElementwiseCases(new Random(1314)).Where(c => c.Name.StartsWith("DEQUANTIZE int8 per channel", StringComparison.Ordinal)).Take(2))
            .Concat(OpCases.QuantizedBinaryCases(new Random(1315)).Where(c => c.Name.StartsWith("MUL int8 channel vector [2,3,4,19]", StringComparison.Ordinal)).Take(1))
            .Concat(OpCases.QuantizedBinaryCases(new Random(1315)).Where(c => c.Name.StartsWith("ADD int8 element-wise 2x5x7x13", StringComparison.Ordinal)).Take(1))
            .Concat(OpCases.QuantizedConvolutionCases(new Random(1313)).Where(c => c.Name.StartsWith("CONV_2D int8 6x5x12", StringComparison.Ordinal)).Take(1))
            .Concat(OpCases.QuantizedConvolutionCases(new Random(1313)).Where(c => c.Name.StartsWith("CONV_2D int8 9x7x8 k1", StringComparison.Ordinal)).Take(1))
            .Concat(OpCases.QuantizedConvolutionCases(new Random(1313)).Where(c => c.Name.StartsWith("CONV_2D int8 13x14x3 k3 s2", StringComparison.Ordinal)).Take(1))
            .Concat(OpCases.QuantizedResizeCases(new Random(1316)).Where(c => c.Name.Contains("[1,5,7,19]") && c.Name.EndsWith("half True", StringComparison.Ordinal)).Take(1))
            .SelectMany(c => new[] { 1, 2 }.Select(threads => new TestCaseData(c, threads).SetName($"{c.Name}, {threads} thread(s)")));

    /// <summary>
    /// The paired depthwise kernel (with a depth multiplier of 1, and of 2 over its copy of the input), the vector QUANTIZE, the channel-vector MUL, RESIZE_BILINEAR, the 16-lane ADD, the
    /// pointwise CONV_2D, the small pointwise CONV_2D and an image's first layer allocate nothing on
    /// the invoking thread after the first invoke (the kernels' stack buffers and compile-time arrays only).
    /// </summary>
    [TestCaseSource(nameof(AllocationCases))]
    public void TheNewInt8KernelsAllocateNothingPerInvoke(BitExactCase c, int threads)
    {
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), c.Name);
        interpreter.GetInputTensor(0).CopyFromBytes(c.Inputs[0] is float[] floats
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray()
            : (byte[])c.Inputs[0]);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, c.Name);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void AnInt8InvokeAllocatesNothingAfterTheFirstRun(int threads)
    {
        using var model = QuantizedNetwork.Build();
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(6));
        interpreter.SetInput<float>(0, DelegateHarness.Values(new Random(6), 6 * 6 * 3).Select(v => v / 8).ToArray());
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
