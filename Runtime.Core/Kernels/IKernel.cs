namespace Accel.Kernels;

/// <summary>
/// A kernel for one node. The resolver creates one instance per node, so a kernel may keep state computed in
/// <see cref="Prepare"/> (padding, strides, scales). <see cref="Invoke"/> must not allocate on the managed heap.
/// </summary>
public interface IKernel
{
    /// <summary>
    /// Checks input dtypes and shapes and options, and sets every output's shape with
    /// <see cref="KernelContext.SetOutputShape"/>. Runs at AllocateTensors (and again after an input resize).
    /// Reports problems with <see cref="KernelContext.Error"/>.
    /// </summary>
    void Prepare(KernelContext context);

    /// <summary>Computes the outputs from the inputs. Memory is allocated; shapes are those set by Prepare.</summary>
    void Invoke(KernelContext context);
}
