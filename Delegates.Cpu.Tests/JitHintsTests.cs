using System.Reflection;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The kernels and the per-invoke path are compiled optimized at their first call in an IL build (never tier-0 code),
/// and carry no <see cref="MethodImplAttributes.AggressiveOptimization"/> in a build for a CoreLib-bubble ReadyToRun
/// publish (<c>-p:AccelPrecompiledKernels=true</c>), where crossgen2 would otherwise skip them (cold start, issue 20).
/// </summary>
public sealed class JitHintsTests
{
#if ACCEL_PRECOMPILED_KERNELS
    private static readonly bool Precompiled = true;
#else
    private static readonly bool Precompiled = false;
#endif

    private static IEnumerable<MethodBase> HotMethods()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        yield return typeof(Interpreter).GetMethod(nameof(Interpreter.Invoke), [typeof(CancellationToken)])!;
        yield return typeof(CpuThreadPool).GetMethods(all).First(m => m.Name == nameof(CpuThreadPool.For));
        foreach (var name in new[] { "Run", "Tile8x1", "Tile8x2" })
            yield return typeof(GemmTiles<,>).GetMethods(all).First(m => m.Name == name);
        // Reached from tier-0 callers (a width dispatcher, a constructor): without the hint they ran as tier-0 code.
        yield return typeof(Accel.Delegates.Cpu.Kernels.Vectorized.ElementwiseLoops).GetMethods(all).First(m => m.Name == "HotRow");
        yield return typeof(PackedConvWeights).GetMethods(all).First(m => m.Name == "TransposeBlock");
    }

    [Test]
    public void TheKernelsAndThePerInvokePathAreOptimizedAtFirstCallExactlyWhenNotPrecompiled()
    {
        var hot = JitHints.Hot; // the build's constant, read as a value
        Assert.That(hot, Is.EqualTo(Precompiled ? default : System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization));
        foreach (var method in HotMethods())
        {
            bool optimized = (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;
            Assert.That(optimized, Is.EqualTo(!Precompiled), $"{method.DeclaringType}.{method.Name}");
        }
    }

    /// <summary>
    /// A method the CPU delegate keeps out of line on purpose (NoInlining: a kernel's per-block step, so its caller's
    /// registers stay free) is called per tile or block; without the hint it ran as tier-0 code until the call counter
    /// promoted it — QuantizedGemm's Pair and Single did for the first ~160 timed invokes of face_detection_short_range's
    /// int8 model, whose median was 0.90 ms instead of 0.48.
    /// </summary>
    [Test]
    public void EveryMethodKeptOutOfLineIsOptimizedAtFirstCallExactlyWhenNotPrecompiled()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var outOfLine = typeof(CpuDelegate).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all))
            .Where(m => (m.MethodImplementationFlags & MethodImplAttributes.NoInlining) != 0)
            .ToList();
        Assert.That(outOfLine, Has.Count.GreaterThanOrEqualTo(9));
        foreach (var method in outOfLine)
        {
            bool optimized = (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;
            Assert.That(optimized, Is.EqualTo(!Precompiled), $"{method.DeclaringType}.{method.Name}");
        }
    }

    [Test]
    public void EveryKernelAssemblyMethodMarkedHotFollowsTheSameBuildSetting()
    {
        // In an IL build the CPU delegate has well over a hundred such methods; in a precompiled build none.
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        int marked = typeof(CpuDelegate).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
            .Count(m => (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0);
        if (Precompiled) Assert.That(marked, Is.Zero);
        else Assert.That(marked, Is.GreaterThan(100));
    }
}
