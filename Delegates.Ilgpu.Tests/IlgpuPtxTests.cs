using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// What ILGPU emits for CUDA, checked without a GPU by running its PTX backend offline: the FMA chain is a real
/// round-to-nearest fused multiply-add, and no kernel uses approximate or flush-to-zero arithmetic, nor a
/// contracted multiply-add where the reference rounds twice.
/// </summary>
[TestFixture]
public sealed class IlgpuPtxTests
{
    private static string Ptx(string kernel, Type? typeArgument = null)
    {
        using var context = Context.Create(b => b.Cuda().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
            CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        var method = typeof(IlgpuKernels).GetMethod(kernel, BindingFlags.Public | BindingFlags.Static)!;
        if (typeArgument is not null) method = method.MakeGenericMethod(typeArgument);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    [TestCase(nameof(IlgpuKernels.FullyConnected))]
    [TestCase(nameof(IlgpuKernels.Convolution))]
    public void MultiplyAccumulateChainsAreRoundToNearestFmaOnCuda(string kernel)
    {
        string ptx = Ptx(kernel, typeof(PtxFma));
        Assert.That(ptx, Does.Contain("fma.rn.f32"), ptx);
        // MathF.FusedMultiplyAdd would appear as an unresolved ".extern .func FusedMultiplyAdd" that CUDA cannot link.
        Assert.That(ptx, Does.Not.Contain(".extern"), ptx);
        Assert.That(ptx, Does.Not.Contain(".ftz"), ptx);
        Assert.That(ptx, Does.Not.Contain(".approx"), ptx);
    }

    [TestCase(nameof(IlgpuKernels.Binary))]
    [TestCase(nameof(IlgpuKernels.Clamp))]
    [TestCase(nameof(IlgpuKernels.MaxPool))]
    [TestCase(nameof(IlgpuKernels.HardSwish))]
    [TestCase(nameof(IlgpuKernels.AveragePool))]
    [TestCase(nameof(IlgpuKernels.Copy))]
    [TestCase(nameof(IlgpuKernels.Pad))]
    public void ElementwiseKernelsUseNoFmaNoFlushToZeroAndNoApproximation(string kernel)
    {
        string ptx = Ptx(kernel);
        Assert.That(ptx, Does.Not.Contain("fma."), ptx);
        Assert.That(ptx, Does.Not.Contain(".extern"), ptx);
        Assert.That(ptx, Does.Not.Contain(".ftz"), ptx);
        Assert.That(ptx, Does.Not.Contain(".approx"), ptx);
        if (kernel == nameof(IlgpuKernels.Binary))
        {
            Assert.That(ptx, Does.Contain("add.f32").Or.Contain("add.rn.f32"), ptx);
            Assert.That(ptx, Does.Contain("mul.f32").Or.Contain("mul.rn.f32"), ptx);
        }
    }
}
