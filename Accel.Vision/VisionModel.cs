using Accel.Delegates;
using Accel.Delegates.Cpu;

namespace Accel.Vision;

/// <summary>How the task heads run their model.</summary>
public sealed record VisionModelOptions
{
    /// <summary>Threads for the interpreter and the CPU delegate (default 1).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Run on the SIMD CPU delegate (bit-exact with the reference kernels), the reference taking what it does not claim
    /// (default true); false runs the reference executor only.
    /// </summary>
    public bool UseCpuDelegate { get; init; } = true;
}

/// <summary>Shared helpers of the task heads.</summary>
public static class VisionModel
{
    /// <summary>An allocated interpreter for <paramref name="model"/> as <paramref name="options"/> say.</summary>
    public static Interpreter CreateInterpreter(Model model, VisionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new VisionModelOptions();
        if (options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be at least 1.");
        var interpreterOptions = new InterpreterOptions { Threads = options.Threads };
        if (options.UseCpuDelegate) interpreterOptions.Delegates.Add(new DelegateSelection(new CpuDelegate(options.Threads)));
        var interpreter = new Interpreter(model, interpreterOptions);
        try
        {
            interpreter.AllocateTensors();
            return interpreter;
        }
        catch
        {
            interpreter.Dispose();
            throw;
        }
    }

    /// <summary>Output <paramref name="index"/> as floats, checking it is float32 with <paramref name="elements"/> elements.</summary>
    internal static ReadOnlySpan<float> FloatOutput(Interpreter interpreter, int index, long elements, string what)
    {
        var t = interpreter.GetOutputTensor(index);
        if (t.Type != TensorType.Float32 || t.ElementCount != elements)
            throw new VisionModelException($"Output {index} '{t.Name}' is {t.Type} [{string.Join(",", t.Shape.ToArray())}]; {what} needs float32 with {elements} elements.");
        return t.Read<float>();
    }

    internal static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
