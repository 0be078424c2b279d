using Accel.Operators;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// One operator (or a family sharing a device kernel) on ILGPU. Every concrete class implementing this in the
/// assembly is found by <see cref="KernelRegistry{TKernel}.Discover"/>: adding an operator is one file under
/// Operators/. The node reaching it was validated by its <see cref="OpDefinition"/> at AllocateTensors; a kernel runs
/// from the node's params and refuses only what this device cannot do.
/// </summary>
internal interface IIlgpuKernel : IOpKernel
{
    /// <summary>
    /// How many leading inputs kernels read (these must be float32 and live in device buffers); later inputs are
    /// parameters (shapes, axes, paddings, sizes) the definition read on the host.
    /// </summary>
    int DeviceInputCount(DelegateNode node) => node.Inputs.Count;

    /// <summary>The first input kernels read (TRANSPOSE_CONV: 1, its input 0 being a host-read output shape).</summary>
    int DeviceInputStart(DelegateNode node) => 0;

    /// <summary>
    /// Whether this device can run the (already validated) node; dtypes were checked already. A refusal names the device
    /// limit (a rank its layout cannot express, a size, a missing feature).
    /// </summary>
    NodeSupport Supports(DelegateNode node) => NodeSupport.Supported;

    /// <summary>
    /// Null when the kernel's PTX is exact, else why the node is refused on a CUDA accelerator (a kernel whose plain
    /// float products and sums ptxas could contract into fma, which the CPU accelerator never does).
    /// </summary>
    string? PtxRefusal(DelegateNode node) => null;

    /// <summary>Adds the node's launches (called only for nodes <see cref="Supports"/> accepted).</summary>
    void Compile(DelegateNode node, IlgpuCompilation compilation);
}
