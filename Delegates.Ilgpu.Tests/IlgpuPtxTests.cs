using System.Reflection;
using Accel.Delegates.Ilgpu.Operators;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// What ILGPU emits for CUDA, checked without a GPU by running its PTX backend offline: FMA chains are real
/// round-to-nearest fused multiply-adds, no kernel uses approximate or flush-to-zero arithmetic or leaves an
/// unresolved external, and no kernel has a contractible multiply feeding an add where the reference rounds twice.
/// </summary>
[TestFixture]
public sealed class IlgpuPtxTests
{
    private static string Ptx(Type operatorType, string kernel, Type? typeArgument = null)
    {
        using var context = Context.Create(b => b.Cuda().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
            CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        var method = operatorType.GetMethod(kernel, BindingFlags.Public | BindingFlags.Static)!;
        if (typeArgument is not null) method = method.MakeGenericMethod(typeArgument);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    private static void AssertNoExternFtzOrApprox(string ptx)
    {
        // MathF.FusedMultiplyAdd would appear as an unresolved ".extern .func FusedMultiplyAdd" that CUDA cannot link.
        Assert.That(ptx, Does.Not.Contain(".extern"), ptx);
        Assert.That(ptx, Does.Not.Contain(".ftz"), ptx);
        Assert.That(ptx, Does.Not.Contain(".approx"), ptx);
    }

    [TestCase(typeof(FullyConnectedKernel))]
    [TestCase(typeof(ConvolutionKernel))]
    [TestCase(typeof(TransposeConvBiasKernel))]
    [TestCase(typeof(TransposeConvKernel))]
    [TestCase(typeof(BatchMatMulKernel))]
    public void MultiplyAccumulateChainsAreRoundToNearestFmaOnCuda(Type operatorType)
    {
        string ptx = Ptx(operatorType, "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void LogisticUsesRoundToNearestFmaAndRoundToEvenOnCuda()
    {
        string ptx = Ptx(typeof(LogisticKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("cvt.rni.f32.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [TestCase(typeof(TanhKernel))]
    [TestCase(typeof(EluKernel))]
    public void TanhAndEluUseRoundToNearestFmaAndRoundToEvenOnCuda(Type operatorType)
    {
        string ptx = Ptx(operatorType, "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("cvt.rni.f32.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void GeluUsesRoundToNearestFmaAndRoundToEvenAndNonContractibleSumsOnCuda()
    {
        string ptx = Ptx(typeof(GeluKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("cvt.rni.f32.f32"), ptx);
        // GELU's own x + cube and 1 + tanh follow products: they must be the non-contractible add.rn.
        Assert.That(ptx, Does.Contain("add.rn.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void ExpUsesRoundToNearestFmaAndRoundToEvenOnCuda()
    {
        string ptx = Ptx(typeof(ExpKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("cvt.rni.f32.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void SoftmaxUsesRoundToNearestFmaAndSumsWithNonContractibleAddsOnCuda()
    {
        string ptx = Ptx(typeof(SoftmaxKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("cvt.rni.f32.f32"), ptx);
        // The sum's adds follow Exp's last product: a plain add.f32 there could be contracted into an fma.
        Assert.That(ptx, Does.Contain("add.rn.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("add.f32"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    /// <summary>
    /// The 8-bit LOG_SOFTMAX compiles (the FMAs explicit, the division correctly rounded, nothing approximate or
    /// flushed) but SpecMath.Log's plain products and sums remain mul.f32/add.f32, which ptxas may contract: the
    /// delegate refuses the kernel on CUDA (LogSoftmaxKernel.PtxRefusal) and runs it on the CPU accelerator only.
    /// </summary>
    [Test]
    public void QuantizedLogSoftmaxKeepsContractibleFloatOpsSoItIsRefusedOnCuda()
    {
        string ptx = Ptx(typeof(LogSoftmaxKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("div.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("add.f32").Or.Contain("mul.f32"), "the contractible operations the CUDA refusal names\n" + ptx);
        Assert.That(new LogSoftmaxKernel().PtxRefusal(null!), Does.Contain("ptxas may contract"));
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void ResizeBilinearMultipliesAndAddsWithNonContractibleRoundToNearestOnCuda()
    {
        string ptx = Ptx(typeof(ResizeBilinearKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("mul.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("add.rn.f32"), ptx);
        // Plain mul.f32/add.f32 may be fused by ptxas; none may remain, and no fma at all.
        Assert.That(ptx, Does.Not.Contain("mul.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("add.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void Uint8ConcatenationRescaleMultipliesAndAddsWithNonContractibleRoundToNearestOnCuda()
    {
        string ptx = Ptx(typeof(ConcatenationKernel), "ByteKernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("mul.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("add.rn.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("mul.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("add.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [TestCase(typeof(ClampKernel), "Kernel")]
    [TestCase(typeof(MaxPoolKernel), "Kernel")]
    [TestCase(typeof(HardSwishKernel), "Kernel")]
    [TestCase(typeof(AveragePoolKernel), "Kernel")]
    [TestCase(typeof(ReshapeKernel), "CopyKernel")]
    [TestCase(typeof(PadKernel), "Kernel")]
    [TestCase(typeof(ConcatenationKernel), "Kernel")]
    [TestCase(typeof(DepthToSpaceKernel), "Kernel")]
    [TestCase(typeof(ResizeNearestNeighborKernel), "Kernel")]
    [TestCase(typeof(MeanKernel), "Kernel")]
    [TestCase(typeof(MeanKernel), "QuantizedKernel")]
    [TestCase(typeof(ReductionKernel), "QuantizedKernel")]
    [TestCase(typeof(StridedCopyKernel), "Kernel")]
    [TestCase(typeof(LeakyReluKernel), "Kernel")]
    [TestCase(typeof(PreluKernel), "Kernel")]
    [TestCase(typeof(SpaceToDepthKernel), "Kernel")]
    [TestCase(typeof(ElementwiseBinaryKernel), "Int32Kernel")]
    public void ElementwiseKernelsUseNoFmaNoFlushToZeroAndNoApproximation(Type operatorType, string kernel)
    {
        string ptx = Ptx(operatorType, kernel);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void ReductionKernelFoldsWithoutFmaAndSelectsMaximumMinimumWithoutMaxMinOnCuda()
    {
        string ptx = Ptx(typeof(ReductionKernel), "Kernel");
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        // REDUCE_MAX/MIN are the reference's ordered comparisons and selections: PTX max/min drop NaN their own way.
        Assert.That(ptx, Does.Not.Contain("max.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("min.f32"), ptx);
        Assert.That(ptx, Does.Contain("setp."), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    [Test]
    public void BinaryElementwiseKernelSquaresDifferencesWithoutFmaAndSelectsMaximumMinimumWithoutMaxMinOnCuda()
    {
        string ptx = Ptx(typeof(ElementwiseBinaryKernel), "Kernel", typeof(PtxArithmetic));
        Assert.That(ptx, Does.Contain("add.f32").Or.Contain("add.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("mul.f32").Or.Contain("mul.rn.f32"), ptx);
        // SQUARED_DIFFERENCE: d = a − b and d · d through the device arithmetic, rounded separately.
        Assert.That(ptx, Does.Contain("sub.rn.f32"), ptx);
        Assert.That(ptx, Does.Contain("mul.rn.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        // MAXIMUM/MINIMUM are the reference's comparisons and selections: PTX max/min drop NaN and order ±0 their own way.
        Assert.That(ptx, Does.Not.Contain("max.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("min.f32"), ptx);
        Assert.That(ptx, Does.Contain("setp."), ptx);
        // DIV (DivKernel runs this kernel): the correctly rounded division, never div.approx/div.full.
        Assert.That(ptx, Does.Contain("div.rn.f32"), ptx);
        Assert.That(ptx, Does.Not.Contain("div.full"), ptx);
        AssertNoExternFtzOrApprox(ptx);
    }

    /// <summary>
    /// The 8-bit kernels are integer arithmetic (the requantization's 64-bit product included) plus, for QUANTIZE and
    /// DEQUANTIZE, one correctly rounded division or multiply: no fma, nothing unresolved, approximate or flushed.
    /// </summary>
    [TestCase(typeof(QuantizedKernels), "ConvolutionKernel")]
    [TestCase(typeof(QuantizedKernels), "BinaryKernel")]
    [TestCase(typeof(QuantizedKernels), "PoolKernel")]
    [TestCase(typeof(QuantizedLookupKernel), "Kernel")]
    [TestCase(typeof(Int16LookupKernel), "Kernel")]
    [TestCase(typeof(BytePairTableKernel), "Kernel")]
    [TestCase(typeof(Int16MaximumMinimumKernel), "Kernel")]
    [TestCase(typeof(QuantizedKernels), "ResizeBilinearKernel")]
    [TestCase(typeof(PadKernel), "ByteKernel")]
    [TestCase(typeof(QuantizeKernel), "Kernel")]
    [TestCase(typeof(DequantizeKernel), "Kernel")]
    [TestCase(typeof(TransposeConvKernel), "QuantizedKernel")]
    [TestCase(typeof(BatchMatMulKernel), "QuantizedKernel")]
    [TestCase(typeof(L2NormalizationKernel), "Kernel")]
    [TestCase(typeof(ReductionKernel), "Int16Kernel")]
    [TestCase(typeof(InputDomainKernel), "Check8")]
    [TestCase(typeof(InputDomainKernel), "Check16")]
    public void IntegerKernelsCompileToExactPtx(Type operatorType, string kernel)
    {
        string ptx = Ptx(operatorType, kernel);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        Assert.That(ptx, Does.Not.Contain("div.full"), ptx);
        AssertNoExternFtzOrApprox(ptx);
        if (operatorType == typeof(QuantizeKernel)) Assert.That(ptx, Does.Contain("div.rn.f32"), ptx);
        if (kernel is "ConvolutionKernel" or "BinaryKernel" or "QuantizedKernel") Assert.That(ptx, Does.Contain(".s64"), "the requantization's 64-bit product\n" + ptx);
    }

    [Test]
    public void EveryRegisteredKernelIsCoveredByAPtxCheck()
    {
        // A new operator file must add its kernel to one of the checks above.
        var covered = new[]
        {
            typeof(FullyConnectedKernel), typeof(ConvolutionKernel), typeof(TransposeConvBiasKernel), typeof(LogisticKernel),
            typeof(ResizeBilinearKernel), typeof(ElementwiseBinaryKernel), typeof(ClampKernel), typeof(MaxPoolKernel),
            typeof(HardSwishKernel), typeof(AveragePoolKernel), typeof(ReshapeKernel), typeof(PadKernel),
            typeof(ConcatenationKernel), typeof(DepthToSpaceKernel), typeof(MeanKernel), typeof(SoftmaxKernel),
            typeof(StridedCopyKernel), typeof(SplitKernel), // SplitKernel launches StridedCopyKernel.Kernel
            typeof(TransposeConvKernel), typeof(BatchMatMulKernel), typeof(ResizeNearestNeighborKernel),
            typeof(ExpKernel),
            typeof(TanhKernel), typeof(EluKernel), typeof(GeluKernel), typeof(LeakyReluKernel), typeof(PreluKernel), typeof(SpaceToDepthKernel),
            typeof(DivKernel), // runs ElementwiseBinaryKernel.Kernel, checked above
            typeof(ReductionKernel), typeof(L2NormalizationKernel), typeof(LogSoftmaxKernel),
            typeof(QuantizeKernel), typeof(DequantizeKernel), // the 8-bit paths of the others run QuantizedKernels, checked above
            typeof(ElementwiseSelectionKernel), // runs ElementwiseBinaryKernel's kernels, checked above
            typeof(AbsKernel), typeof(RsqrtKernel), typeof(SqrtKernel), typeof(LogKernel), // run QuantizedLookupKernel / Int16LookupKernel (and InputDomainKernel), checked above
            typeof(ComparisonKernel), // runs BytePairTableKernel, checked above (as do the 8-bit DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE)
        };
        var operators = typeof(IlgpuDelegate).Assembly.GetTypes()
            .Where(t => typeof(IIlgpuKernel).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false });
        Assert.That(operators, Is.EquivalentTo(covered));
    }
}
