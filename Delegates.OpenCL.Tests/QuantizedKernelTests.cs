using Accel.Numerics;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// The 8-bit integer kernels (Cl/quant.cl) on the test device (PoCL here): the requantization arithmetic against
/// Runtime.Core's on adversarial values, and whole int8 and uint8 networks run entirely on OpenCL with the reference's
/// bits (the shared op suite has no 8-bit cases).
/// </summary>
[TestFixture]
public sealed class QuantizedKernelTests
{
    [Test]
    public void KernelRequantizationEqualsTheReferenceOnAdversarialValues()
    {
        using var openCl = OpenClHarness.CreateDelegate();
        var triples = RequantizationValues.Triples(seed: 13, randomCount: 50_000);
        // int32 values travel as the bits of the probe runner's float buffers (copied as bytes, never converted).
        float[] Column(Func<(int X, int Multiplier, int Shift), int> select) =>
            triples.Select(t => BitConverter.Int32BitsToSingle(select(t))).ToArray();
        var results = OpenClNumericsProbe.Run(openCl.Backend!, openCl.Programs!, "mbqm_probe",
            [Column(t => t.X), Column(t => t.Multiplier), Column(t => t.Shift)], 2, TimeSpan.FromSeconds(60), file: "quant");
        for (int i = 0; i < triples.Length; i++)
        {
            var (x, m, shift) = triples[i];
            Assert.That(BitConverter.SingleToInt32Bits(results[1][i]), Is.EqualTo(Quantization.SaturatingRoundingDoublingHighMul(x, m)), $"SRDHM({x}, {m})");
            Assert.That(BitConverter.SingleToInt32Bits(results[0][i]), Is.EqualTo(Quantization.MultiplyByQuantizedMultiplier(x, m, shift)),
                $"MBQM({x}, {m}, {shift})");
        }
    }

    [Test]
    public void Int8AndUint8NetworksRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedNetworks.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    /// <summary>
    /// Integer-only nodes (8-bit in and out) need neither an exact fma nor preserved subnormals: on a device lacking
    /// both (probe results injected) only the float-facing QUANTIZE and DEQUANTIZE go back to the reference, and the
    /// outputs keep the reference's bits.
    /// </summary>
    [Test]
    public void IntegerNodesStillRunOnADeviceWithoutExactFmaThatFlushesSubnormals()
    {
        var model = QuantizedNetworks.Build(TensorType.Int8, seed: 1);
        var inputs = new[] { DelegateHarness.Values(new Random(41), 9 * 9 * 3) };
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        using var openCl = new OpenClDelegate(null, null, null, null, null, null,
            info => info with { FmaExact = false, FmaProblem = "fma(1, 2, 3) gave 0x0", SubnormalProblem = "x * y with x = 1E-40 gave 0x00000000" });
        var actual = DelegateHarness.Run(model, inputs, openCl, out var plan);
        DelegateHarness.AssertSameBits(expected, actual, "int8 network, degraded device", "opencl");
        Assert.That(plan!.Refused.Select(r => r.Operator).Distinct().Order(), Is.EqualTo(new[] { "DEQUANTIZE", "QUANTIZE" }),
            string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
        Assert.That(plan.DelegatedNodeCount, Is.GreaterThan(10));
    }
}
