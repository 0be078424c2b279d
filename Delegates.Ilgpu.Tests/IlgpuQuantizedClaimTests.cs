using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// What the ILGPU delegate claims among 8-bit and mixed-dtype nodes (CPU accelerator): int8 TRANSPOSE_CONV, MEAN (int8
/// and uint8) and BATCH_MATMUL run with the reference's bits, and hybrid nodes (float32 activations, int8 weights) —
/// each of whose dtypes some kernel of the op lists, so a per-tensor check passes them — are refused naming the weights.
/// </summary>
[TestFixture]
public sealed class IlgpuQuantizedClaimTests
{
    [Test]
    public void Int8AndUint8L2NormalizationLogSoftmaxAndInt8Int16ReductionsRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedNormalizationReductionOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AndUint8ComparisonsMaximumMinimumDivSumSquaredDifferenceAndInt16ActivationsRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AndUint8DivByARunTimeDenominatorRunsEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedBinaryTableOps.AssertDivByARunTimeDenominatorRunsOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void AZeroDivDenominatorFailsTheInvokeOnIlgpuWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedBinaryTableOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int32DivTruncatesAndSaturatesOnIlgpuWithTheReferencesBits() =>
        IntegerDivisionOps.AssertRunsOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void AZeroInt32DivDenominatorFailsTheInvokeOnIlgpuWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int16DivRunsOnIlgpuWithTheReferencesBits() =>
        IntegerDivisionOps.AssertInt16RunsOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test, Explicit("by hand: 33.5 M int16 quotients per output scale (every numerator × 512 denominators), tens of seconds")]
    public void Int16DivSweepOfEveryNumeratorMatchesTheReferenceOnIlgpu() =>
        IntegerDivisionOps.AssertInt16SweepMatchesTheReference(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void AZeroInt16DivDenominatorFailsTheInvokeOnIlgpuWithTheReferencesErrorAndNoOutputWritten() =>
        IntegerDivisionOps.AssertAZeroInt16DenominatorFailsTheInvokeWithTheReferencesError(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AbsExpAndRsqrtRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8RsqrtWithAnInputZeroPointAboveMinus128RunsEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedUnaryTableOps.AssertRsqrtAboveTheLowestZeroPointRunsOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AndInt16LogSqrtAndRsqrtRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedLogSqrtRsqrtOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void ANegativeSqrtOrRsqrtInputFailsTheInvokeOnIlgpuWithTheReferencesErrorAndNoOutputWritten() =>
        QuantizedLogSqrtRsqrtOps.AssertANegativeInputFailsTheInvokeWithTheReferencesError(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AndUint8PreluTablesSoftmaxAndReduceMaxMinRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedActivationOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8TransposeConvMeanAndBatchMatMulRunEntirelyOnIlgpuWithTheReferencesBits() =>
        QuantizedGpuOps.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void Int8AndUint8ConcatenationReshapeSqueezeExpandDimsAndPackRunEntirelyOnILGPUWithTheReferencesBits() =>
        QuantizedDataMovement.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu));

    [Test]
    public void AHybridFullyConnectedIsRefusedNamingItsInt8Weights()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var support = ilgpu.Supports(MixedDtypeNodes.HybridFullyConnected());
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8").And.Contain("hybrid"));
    }

    [Test]
    public void AHybridTransposeConvIsRefusedRatherThanJudgedByItsInt32OutputShape()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var support = ilgpu.Supports(MixedDtypeNodes.HybridTransposeConv());
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8").And.Contain("input 'input' is float32"));
    }
}
