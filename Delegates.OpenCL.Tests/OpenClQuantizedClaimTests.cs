using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// The shared 8-bit GPU network (int8 and uint8 TRANSPOSE_CONV, MEAN, BATCH_MATMUL) runs entirely on OpenCL with the
/// reference's bits, as on Vulkan and ILGPU; a hybrid TRANSPOSE_CONV (float32 data, int8 weights), which its int32
/// output_shape input would otherwise let through, is refused naming the weights.
/// </summary>
[TestFixture]
public sealed class OpenClQuantizedClaimTests
{
    [Test]
    public void Int8AndUint8L2NormalizationLogSoftmaxAndInt8Int16ReductionsRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedNormalizationReductionOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8ComparisonsMaximumMinimumDivSumSquaredDifferenceAndInt16ActivationsRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8DivByARunTimeDenominatorRunsEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertDivByARunTimeDenominatorRunsOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void AZeroDivDenominatorFailsTheInvokeOnOpenClWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedBinaryTableOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int32DivTruncatesAndSaturatesOnOpenClWithTheReferencesBits() =>
        IntegerDivisionOps.AssertRunsOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void AZeroInt32DivDenominatorFailsTheInvokeOnOpenClWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int16DivRunsOnOpenClWithTheReferencesBits() =>
        IntegerDivisionOps.AssertInt16RunsOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test, Explicit("by hand: 33.5 M int16 quotients per output scale (every numerator × 512 denominators), tens of seconds")]
    public void Int16DivSweepOfEveryNumeratorMatchesTheReferenceOnOpenCl() =>
        IntegerDivisionOps.AssertInt16SweepMatchesTheReference(() => OpenClHarness.CreateDelegate());

    [Test]
    public void AZeroInt16DivDenominatorFailsTheInvokeOnOpenClWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroInt16DenominatorFailsTheInvokeWithTheReferencesError(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AbsExpAndRsqrtRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8RsqrtWithAnInputZeroPointAboveMinus128RunsEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRsqrtAboveTheLowestZeroPointRunsOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AndInt16LogSqrtAndRsqrtRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedLogSqrtRsqrtOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void ANegativeSqrtOrRsqrtInputFailsTheInvokeOnOpenClWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedLogSqrtRsqrtOps.AssertANegativeInputFailsTheInvokeWithTheReferencesError(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8PreluTablesSoftmaxAndReduceMaxMinRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedActivationOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void EightBitTransposeConvMeanAndBatchMatMulRunEntirelyOnOpenClWithTheReferencesBits() =>
        QuantizedGpuOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void Int8AndUint8ConcatenationReshapeSqueezeExpandDimsAndPackRunEntirelyOnOpenCLWithTheReferencesBits() =>
        QuantizedDataMovement.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => OpenClHarness.CreateDelegate());

    [Test]
    public void AHybridTransposeConvIsRefusedRatherThanJudgedByItsInt32OutputShape()
    {
        using var opencl = OpenClHarness.CreateDelegate();
        var support = opencl.Supports(MixedDtypeNodes.HybridTransposeConv());
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8 while input 'input' is float32 (a hybrid node)"));
    }
}
