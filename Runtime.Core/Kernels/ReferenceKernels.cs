using Accel.Operators;

namespace Accel.Kernels;

/// <summary>
/// The reference executor's kernels: every <c>IReferenceKernel</c> in Runtime.Core, registered for the versions its
/// operator's <see cref="OpDefinition"/> declares. Found by their <see cref="OpCodesAttribute"/>, like every backend's
/// kernels; each resolver gets its own registry, which builds a kernel (and reads its definition's versions) only when
/// a model uses its operator.
/// </summary>
public static class ReferenceKernels
{
    private static readonly KernelIndex<IReferenceKernel> Index =
        KernelIndex<IReferenceKernel>.Discover("reference", typeof(ReferenceKernels).Assembly);

    /// <summary>What the reference executor runs, per operator and dtype (the coverage matrix's reference column); a new registry per call.</summary>
    public static IKernelCatalog Catalog => Index.CreateRegistry();

    public static void Register(OpResolver resolver) => Register(resolver, Index.CreateRegistry());

    /// <summary>Registers every operator of <paramref name="registry"/>, building nothing until the resolver is asked.</summary>
    internal static void Register(OpResolver resolver, KernelRegistry<IReferenceKernel> registry)
    {
        foreach (var op in registry.Ops)
            // Reference kernels keep no state (it lives in the node's params): one instance serves every node.
            resolver.AddDefined(op, () => registry.Find(op)!);
    }

    /// <summary>A registry of the reference kernels with none built yet (tests count what a model builds).</summary>
    internal static KernelRegistry<IReferenceKernel> CreateRegistry() => Index.CreateRegistry();
}
