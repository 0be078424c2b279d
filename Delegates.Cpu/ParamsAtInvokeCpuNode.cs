using System.Runtime.CompilerServices;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>
/// A node whose params are resolved at Invoke (<see cref="DelegateNode.ParamsAtInvoke"/>: TRANSPOSE_CONV with a
/// run-time output_shape): every Run first calls <see cref="DelegateNode.ResolveParams"/> — the definition validates the
/// run-time values (the reference's errors, naming the node) and resizes the dynamic outputs — then runs the node
/// compiled for those params. The params instance stays the same while the values do, so a steady Invoke compiles
/// nothing and allocates nothing; new values compile the node again (weights packed again) before it runs.
/// </summary>
internal sealed class ParamsAtInvokeCpuNode<TParams>(DelegateNode node, CpuKernel<TParams> kernel) : ICpuCompiledNode
    where TParams : OpParams
{
    private OpParams? _compiledFor;
    private ICpuCompiledNode? _compiled;

    /// <summary>The params the node was last compiled for (null before the first Run); for tests.</summary>
    internal OpParams? CompiledFor => _compiledFor;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var resolved = node.ResolveParams();
        if (!ReferenceEquals(resolved, _compiledFor) || _compiled is null)
        {
            _compiled = null;
            _compiledFor = null;
            _compiled = kernel.CompileResolved(node, (TParams)resolved);
            _compiledFor = resolved;
        }
        _compiled.Run(pool);
    }
}
