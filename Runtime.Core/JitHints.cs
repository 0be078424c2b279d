using System.Runtime.CompilerServices;

namespace Accel;

/// <summary>
/// How the per-invoke methods (<see cref="Interpreter.Invoke()"/>, the execution steps) are compiled; the CPU
/// delegate's kernels carry their own copy (Delegates.Cpu/JitHints.cs). In a plain IL build they are
/// <see cref="MethodImplOptions.AggressiveOptimization"/>: compiled optimized at their first call, never run as tier-0
/// code. ReadyToRun never precompiles such methods (crossgen2 skips them and the runtime would not use the code), so a
/// build made for a ReadyToRun publish whose version bubble includes System.Private.CoreLib — the only kind that can
/// precompile the <c>Vector128/256/512</c> kernels — is built with <c>-p:AccelPrecompiledKernels=true</c>
/// (Directory.Build.props defines <c>ACCEL_PRECOMPILED_KERNELS</c>) and leaves the flag off: the methods then start as
/// precompiled optimized code (perf/RESULTS.md, cold start).
/// </summary>
internal static class JitHints
{
#if ACCEL_PRECOMPILED_KERNELS
    public const MethodImplOptions Hot = default;
#else
    public const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;
#endif
}
