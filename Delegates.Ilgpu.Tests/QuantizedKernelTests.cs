using Accel.Delegates.Ilgpu.Operators;
using Accel.Numerics;
using Accel.Testing;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// The 8-bit integer kernels on ILGPU's CPU accelerator: the requantization compiled by ILGPU against the reference on
/// adversarial values, and whole int8 and uint8 networks run entirely on ILGPU with the reference's bits. (That the
/// PTX backend compiles the integer kernels is <see cref="IlgpuPtxTests"/>'.)
/// </summary>
[TestFixture]
public sealed class QuantizedKernelTests
{
    private static void RequantizeKernel(Index1D i, ArrayView<int> triples, ArrayView<int> output) =>
        output[i] = Quantization.MultiplyByQuantizedMultiplier(triples[3 * i], triples[3 * i + 1], triples[3 * i + 2]);

    [Test]
    public void IlgpuRequantizationEqualsTheReferenceOnAdversarialValues()
    {
        var triples = RequantizationValues.Triples(seed: 17, randomCount: 50_000);
        var words = triples.SelectMany(t => new[] { t.X, t.Multiplier, t.Shift }).ToArray();
        using var context = Context.Create(b => b.CPU());
        using var accelerator = context.CreateCPUAccelerator(0);
        using var input = accelerator.Allocate1D(words);
        using var output = accelerator.Allocate1D<int>(triples.Length);
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>>(RequantizeKernel);
        kernel(triples.Length, input.View, output.View);
        accelerator.Synchronize();
        var results = output.GetAsArray1D();
        for (int i = 0; i < triples.Length; i++)
        {
            var (x, m, shift) = triples[i];
            Assert.That(results[i], Is.EqualTo(Quantization.MultiplyByQuantizedMultiplier(x, m, shift)), $"MBQM({x}, {m}, {shift})");
        }
    }

    [Test]
    public void Int8AndUint8NetworksRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedNetworks.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void TheIntegerKernelsAreListedForInt8AndUint8()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        foreach (var op in new[] { BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected, BuiltinOperator.Add,
                     BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D,
                     BuiltinOperator.Quantize, BuiltinOperator.Dequantize, BuiltinOperator.Logistic, BuiltinOperator.HardSwish,
                     BuiltinOperator.Pad, BuiltinOperator.ResizeBilinear })
        foreach (var type in QuantizedKernels.Types)
            Assert.That(ilgpu.Kernels.Covers(op, type).IsSupported, $"{op} {type}");
    }
}
