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
        // Kernels not yet moved onto an OpDefinition (each moves in its own commit).



        resolver.AddBuiltin(BuiltinOperator.Dequantize, () => new Reference.DequantizeKernel(), 1, 6);
        resolver.AddBuiltin(BuiltinOperator.Densify, () => new Reference.DensifyKernel(), 1, 1);

        resolver.AddBuiltin(BuiltinOperator.Add, () => new Reference.AddKernel(), 1, 5);
        resolver.AddBuiltin(BuiltinOperator.Sub, () => new Reference.SubKernel(), 1, 5);
        resolver.AddBuiltin(BuiltinOperator.Mul, () => new Reference.MulKernel(), 1, 7);
        resolver.AddBuiltin(BuiltinOperator.Relu, () => new Reference.ReluKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.Relu6, () => new Reference.Relu6Kernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.HardSwish, () => new Reference.HardSwishKernel(), 1, 1);
        resolver.AddBuiltin(BuiltinOperator.Logistic, () => new Reference.LogisticKernel(), 1, 3);


        resolver.AddBuiltin(BuiltinOperator.Mean, () => new Reference.MeanKernel(), 1, 3);
        resolver.AddBuiltin(BuiltinOperator.Pad, () => new Reference.PadKernel(), 1, 4);
        resolver.AddBuiltin(BuiltinOperator.Reshape, () => new Reference.ReshapeKernel(), 1, 1);
        resolver.AddBuiltin(BuiltinOperator.Concatenation, () => new Reference.ConcatenationKernel(), 1, 4);
        resolver.AddBuiltin(BuiltinOperator.DepthToSpace, () => new Reference.DepthToSpaceKernel(), 1, 2);
        resolver.AddBuiltin(BuiltinOperator.ResizeBilinear, () => new Reference.ResizeBilinearKernel(), 1, 4);
    }
}
