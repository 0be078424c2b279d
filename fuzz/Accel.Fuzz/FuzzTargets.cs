using Accel.Delegates;
using Accel.Delegates.Cpu;

namespace Accel.Fuzz;

/// <summary>What one execution of a target ended in.</summary>
internal enum Outcome
{
    /// <summary>The model loaded (and allocated, and ran) without error.</summary>
    Accepted,
    /// <summary>A typed <see cref="AccelException"/>: the input was refused the way the contract says.</summary>
    Rejected,
    /// <summary>Anything else: another exception type, or memory beyond the declared limit.</summary>
    Failure,
}

/// <summary>The result of one execution: its outcome, and for a failure the exception (or the reason).</summary>
internal readonly record struct ExecutionResult(Outcome Outcome, Exception? Exception = null, string? Reason = null)
{
    /// <summary>A stable name for a failure, to keep one finding per distinct bug: the exception type and its throwing frame.</summary>
    public string Signature()
    {
        if (Reason is not null) return Reason;
        if (Exception is null) return Outcome.ToString();
        string? frame = Exception.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal));
        if (frame is not null && frame.IndexOf(" in ", StringComparison.Ordinal) is var at and > 0) frame = frame[..at];
        return $"{Exception.GetType().Name} {frame}";
    }
}

/// <summary>
/// The fuzz targets: what is run on each mutant. Each stops at its stage — loading and verifying, allocating
/// (definitions' Prepare, partitioning, memory planning) or invoking on random inputs — with the reference
/// executor or the CPU delegate. The interpreter runs under the declared limits of <see cref="Limits"/>.
/// </summary>
internal enum FuzzTarget
{
    Load,
    Allocate,
    AllocateCpu,
    Invoke,
    InvokeCpu,
    /// <summary>An ONNX model through <c>OnnxConverter.Convert</c>; the .tflite it writes must load.</summary>
    Convert,
    /// <summary>A float .tflite and calibration samples through <c>ModelOptimizer.Quantize</c> (int8 or float16).</summary>
    Quantize,
    /// <summary>A float .tflite through <c>ModelOptimizer.Prune</c> (dense or sparse, 1x1/1x4/1x16 blocks).</summary>
    Prune,
    /// <summary>An encoded image (PNG, JPEG, WebP, GIF, BMP …) through Accel.Vision's <c>ImageDecoder</c>, then into a model-sized tensor.</summary>
    Decode,
}

/// <summary>What a target reads: a TFLite flatbuffer, an ONNX protobuf or an encoded image (each kind has its own corpus and mutator).</summary>
internal enum InputKind
{
    Tflite,
    Onnx,
    Image,
}

/// <summary>The limits every execution runs under (InterpreterOptions) and the fuzzer's own bound on process memory.</summary>
/// <remarks>
/// <see cref="MaxOperationsPerNode"/> (InterpreterOptions.MaxOperationsPerNode) keeps a valid but heavy mutant — an
/// LRN whose radius covers 65,537 channels implies 5·10^10 operations — to a declared refusal at AllocateTensors
/// instead of a run past the per-execution time limit: 2^31 operations is seconds on the scalar reference.
/// </remarks>
internal sealed record FuzzLimits(long MaxMemoryBytes = 1L << 30, long MaxWorkingSetBytes = 6L << 30, int MaxInputTensorBytesFilled = 64 << 20,
    long MaxOperationsPerNode = 1L << 31, long MaxImagePixels = 16L << 20);

internal static partial class FuzzTargets
{
    public static InputKind Kind(this FuzzTarget target) => target switch
    {
        FuzzTarget.Convert => InputKind.Onnx,
        FuzzTarget.Decode => InputKind.Image,
        _ => InputKind.Tflite,
    };

    /// <summary>The file extension of a target's inputs (findings, corpus).</summary>
    public static string Extension(this InputKind kind) => kind switch
    {
        InputKind.Onnx => ".onnx",
        InputKind.Image => ".img",
        _ => ".tflite",
    };

    public static ExecutionResult Run(FuzzTarget target, byte[] input, FuzzLimits limits, int inputSeed)
    {
        try
        {
            switch (target)
            {
                case FuzzTarget.Convert: return Convert(input, limits);
                case FuzzTarget.Quantize: return Quantize(input, limits);
                case FuzzTarget.Prune: return Prune(input, limits);
                case FuzzTarget.Decode: return Decode(input, limits);
            }
            using var model = Model.FromBytes(input);
            if (target == FuzzTarget.Load) return new(Outcome.Accepted);
            var options = new InterpreterOptions
            {
                MaxMemoryBytes = limits.MaxMemoryBytes, MaxOperationsPerNode = limits.MaxOperationsPerNode, Threads = 1,
            };
            if (target is FuzzTarget.AllocateCpu or FuzzTarget.InvokeCpu)
                options.Delegates.Add(new DelegateSelection(new CpuDelegate(threads: 1)));
            using var interpreter = new Interpreter(model, options);
            interpreter.AllocateTensors();
            if (target is FuzzTarget.Allocate or FuzzTarget.AllocateCpu) return Checked(limits);
            FillInputs(interpreter, limits, inputSeed);
            interpreter.Invoke();
            for (int i = 0; i < interpreter.OutputCount; i++) _ = interpreter.GetOutputTensor(i).Bytes.Length;
            return Checked(limits);
        }
        catch (AccelException e)
        {
            // A refusal after allocating beyond the bound is still a finding (run S: 8 GiB of folded constants, then
            // a typed error): checked here so the input that did it is the one recorded.
            var memory = Checked(limits);
            return memory.Outcome == Outcome.Failure ? memory : new(Outcome.Rejected, e);
        }
        catch (Exception e)
        {
            return new(Outcome.Failure, e);
        }
    }

    internal static ExecutionResult Checked(FuzzLimits limits)
    {
        if (Environment.WorkingSet <= limits.MaxWorkingSetBytes) return new(Outcome.Accepted);
        // Garbage of earlier executions is not this one's memory: collect, then judge.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        // One signature for the kind (the amount varies run to run); the amount goes into the log line.
        return Environment.WorkingSet > limits.MaxWorkingSetBytes
            ? new(Outcome.Failure, Reason: $"working set over the fuzzer's limit of {limits.MaxWorkingSetBytes >> 20} MiB (still over after a full GC)")
            : new(Outcome.Accepted);
    }

    /// <summary>Random input values, with the special floats mixed in, the same for the same seed.</summary>
    private static void FillInputs(Interpreter interpreter, FuzzLimits limits, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            var bytes = tensor.WritableBytes;
            if (bytes.Length > limits.MaxInputTensorBytesFilled) bytes = bytes[..limits.MaxInputTensorBytesFilled];
            if (tensor.Type == TensorType.Float32 && random.Next(2) == 0)
            {
                var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
                for (int k = 0; k < floats.Length; k++)
                    floats[k] = random.Next(8) == 0
                        ? ModelMutator.InterestingFloat[random.Next(ModelMutator.InterestingFloat.Length)]
                        : (float)(random.NextDouble() * 8 - 4);
            }
            else
            {
                random.NextBytes(bytes);
            }
        }
    }
}
