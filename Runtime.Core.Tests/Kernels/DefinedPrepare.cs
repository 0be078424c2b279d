using Accel.Kernels;

namespace Accel.Tests.Kernels;

/// <summary>Prepares a kernel as the interpreter does: the operator's definition first (params, shapes), then the kernel.</summary>
internal static class DefinedPrepare
{
    public static void Run(IKernel kernel, KernelContext context)
    {
        var definition = Accel.Operators.OpDefinitions.All.FirstOrDefault(d => d.Op.Name == context.OperatorName);
        context.Params = definition?.Prepare(context);
        kernel.Prepare(context);
    }
}
