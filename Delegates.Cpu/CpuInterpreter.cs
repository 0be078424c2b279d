using Accel.Delegates;
using Accel.Delegates.Cpu;

// In the Accel namespace (the Interpreter's own) so `using Accel;` finds it: the fast path without knowing any
// delegate type. It lives in this package, not in Runtime.Core, because the core must not reference a backend.
namespace Accel;

/// <summary>
/// The simplest fast way to run a model: an <see cref="Interpreter"/> whose options hold a <see cref="CpuDelegate"/>,
/// so every node the CPU delegate claims runs on its SIMD kernels (bit-exact with the reference) and what it refuses
/// runs on the reference kernels — as TFLite applies XNNPACK by default. <c>new Interpreter(model)</c> stays the
/// plain reference executor.
/// </summary>
/// <example><code>
/// using var interpreter = CpuInterpreter.Create(model);
/// </code></example>
public static class CpuInterpreter
{
    /// <summary>
    /// Options with a new <see cref="CpuDelegate"/> (which the interpreter built on them owns and disposes); add
    /// limits or more delegates before creating the interpreter. Each interpreter needs options of its own.
    /// </summary>
    /// <param name="threads">Threads of the interpreter and the CPU delegate's pool (1: the calling thread only).</param>
    public static InterpreterOptions CreateOptions(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        return options;
    }

    /// <summary>An interpreter on <paramref name="model"/> that runs on the CPU delegate, the reference running what it refuses.</summary>
    /// <param name="model">The model; the caller keeps owning it.</param>
    /// <param name="threads">Threads (1: the calling thread only).</param>
    public static Interpreter Create(Model model, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Interpreter(model, CreateOptions(threads));
    }
}
