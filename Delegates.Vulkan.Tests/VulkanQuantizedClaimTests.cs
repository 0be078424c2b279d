using Accel.Testing;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// What the Vulkan delegate claims among 8-bit and mixed-dtype nodes: int8 TRANSPOSE_CONV, MEAN (int8 and uint8) and
/// BATCH_MATMUL run on the device with the reference's bits, and hybrid nodes (float32 activations, int8 weights) —
/// which a check of input 0 or of the output alone would hand to a float kernel — are refused naming the weights.
/// </summary>
[TestFixture]
public sealed class VulkanQuantizedClaimTests
{
    [Test]
    public void Int8AndUint8L2NormalizationLogSoftmaxAndInt8Int16ReductionsRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedNormalizationReductionOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8ComparisonsMaximumMinimumDivSumSquaredDifferenceAndInt16ActivationsRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8DivByARunTimeDenominatorRunsEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertDivByARunTimeDenominatorRunsOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void AZeroDivDenominatorFailsTheInvokeOnVulkanWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedBinaryTableOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int32DivTruncatesAndSaturatesOnVulkanWithTheReferencesBits() =>
        IntegerDivisionOps.AssertRunsOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void AZeroInt32DivDenominatorFailsTheInvokeOnVulkanWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int16DivRunsOnVulkanWithTheReferencesBits() =>
        IntegerDivisionOps.AssertInt16RunsOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test, Explicit("by hand: 33.5 M int16 quotients per output scale (every numerator × 512 denominators), tens of seconds")]
    public void Int16DivSweepOfEveryNumeratorMatchesTheReferenceOnVulkan() =>
        IntegerDivisionOps.AssertInt16SweepMatchesTheReference(() => VulkanHarness.CreateDelegate());

    [Test]
    public void AZeroInt16DivDenominatorFailsTheInvokeOnVulkanWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroInt16DenominatorFailsTheInvokeWithTheReferencesError(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AbsExpAndRsqrtRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8RsqrtWithAnInputZeroPointAboveMinus128RunsEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRsqrtAboveTheLowestZeroPointRunsOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AndInt16LogSqrtAndRsqrtRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedLogSqrtRsqrtOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void ANegativeSqrtOrRsqrtInputFailsTheInvokeOnVulkanWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedLogSqrtRsqrtOps.AssertANegativeInputFailsTheInvokeWithTheReferencesError(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8PreluTablesSoftmaxAndReduceMaxMinRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedActivationOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8TransposeConvMeanAndBatchMatMulRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedGpuOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8ConcatenationReshapeSqueezeExpandDimsAndPackRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedDataMovement.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());

    [Test]
    public void AHybridFullyConnectedIsRefusedNamingItsInt8Weights()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        var support = vulkan.Supports(MixedDtypeNodes.HybridFullyConnected());
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8").And.Contain("hybrid"));
    }

    [Test]
    public void AHybridTransposeConvIsRefusedRatherThanJudgedByItsInt32OutputShape()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        var support = vulkan.Supports(MixedDtypeNodes.HybridTransposeConv());
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8").And.Contain("input 'input' is float32"));
    }
}
