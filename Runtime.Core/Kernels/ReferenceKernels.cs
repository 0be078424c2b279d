using Accel.Operators;

namespace Accel.Kernels;

/// <summary>
/// The reference executor's kernels: every <c>IReferenceKernel</c> in Runtime.Core, registered for the versions its
/// operator's <see cref="OpDefinition"/> declares. Found by reflection, like every backend's kernels.
/// </summary>
public static class ReferenceKernels
{
    private static readonly KernelRegistry<IReferenceKernel> Registry =
        KernelRegistry<IReferenceKernel>.Discover("reference", typeof(ReferenceKernels).Assembly);

    /// <summary>What the reference executor runs, per operator and dtype (the coverage matrix's reference column).</summary>
    public static IKernelCatalog Catalog => Registry;

    public static void Register(OpResolver resolver)
    {
        foreach (var op in Registry.Ops)
        {
            var definition = OpDefinitions.Get(op);
            var kernel = Registry.Find(op)!;
            // Reference kernels keep no state (it lives in the node's params): one instance serves every node.
            if (op.IsCustom) resolver.AddCustom(op.Custom!, () => kernel, definition.MinVersion, definition.MaxVersion);
            else resolver.AddBuiltin(op.Builtin, () => kernel, definition.MinVersion, definition.MaxVersion);
        }
    }
}
