namespace Accel.Delegates.Cpu;

/// <summary>
/// A compiled node of the CPU delegate. Built once per partition compile (weights packed, loop bounds fixed);
/// <see cref="Run"/> reads and writes the interpreter's host tensors and must not allocate.
/// </summary>
internal interface ICpuKernel
{
    void Run(CpuThreadPool pool);
}

/// <summary>One operator's fast implementation: a support check (with a reason) and a compile step.</summary>
internal interface ICpuOperator
{
    NodeSupport Supports(DelegateNode node);
    ICpuKernel Compile(DelegateNode node);
}
