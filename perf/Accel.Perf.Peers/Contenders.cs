using System.Diagnostics;
using System.Text.Json;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Microsoft.ML.OnnxRuntime;

namespace Accel.Perf.Peers;

/// <summary>One side of an interleaved comparison: something that runs one inference and says how long it took.</summary>
public interface IContender : IDisposable
{
    /// <summary><c>accel</c>, <c>onnxruntime</c> or <c>litert.js</c>.</summary>
    string Runtime { get; }
    string Backend { get; }
    int Threads { get; }
    string ModelFile { get; }

    /// <summary>Load/compile time and the first inference, measured while setting up.</summary>
    double LoadMs { get; }
    double CompileMs { get; }
    double FirstMs { get; }

    /// <summary>Runs one inference and returns its latency in milliseconds.</summary>
    double TimeOne();

    /// <summary>The activation arena (Accel) or null.</summary>
    long? ArenaBytes => null;

    string Label => $"{Runtime}/{Backend} {Threads}t";
}

/// <summary>
/// The inputs every contender is fed: Accel's seeded SplitMix64 data (Accel.Cli/InputGenerator.cs, seed 0), so
/// Accel, ONNX Runtime and LiteRT.js (bench.mjs implements the same generator) see identical bytes.
/// </summary>
public static class SharedInputs
{
    /// <summary>float32 input <paramref name="inputIndex"/> of <paramref name="count"/> elements, uniform in [-1, 1).</summary>
    public static float[] Float32(int count, ulong seed = 0, int inputIndex = 0)
    {
        ulong state = seed ^ unchecked((ulong)inputIndex * 0xD1B54A32D192ED03UL);
        var values = new float[count];
        for (int k = 0; k < count; k++)
        {
            unchecked
            {
                state += 0x9E3779B97F4A7C15UL;
                ulong z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                values[k] = (float)((z >> 40) * (1.0 / 16777216.0)) * 2f - 1f;
            }
        }
        return values;
    }
}

/// <summary>Accel on a .tflite model: the reference kernels or the CPU delegate.</summary>
public sealed class AccelContender : IContender
{
    private readonly Model _model;
    private readonly Interpreter _interpreter;

    private readonly bool _threadCpu;

    /// <param name="threadCpu">Time each invoke by the calling thread's CPU time (1 thread only: workers are not counted).</param>
    public AccelContender(string modelPath, string backend, int threads, bool threadCpu = false)
    {
        if (threadCpu && threads != 1) throw new ArgumentException("the thread CPU clock times 1-thread runs only");
        _threadCpu = threadCpu;
        ModelFile = modelPath;
        Backend = backend;
        Threads = threads;
        var clock = Stopwatch.StartNew();
        _model = Model.FromFile(modelPath);
        LoadMs = clock.Elapsed.TotalMilliseconds;
        var options = new InterpreterOptions { Threads = threads };
        if (backend == "cpu") options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        else if (backend != "reference") throw new ArgumentException($"unknown Accel backend '{backend}' (reference or cpu)");
        clock.Restart();
        _interpreter = new Interpreter(_model, options);
        _interpreter.AllocateTensors();
        CompileMs = clock.Elapsed.TotalMilliseconds;
        for (int i = 0; i < _interpreter.InputCount; i++)
        {
            var tensor = _interpreter.GetInputTensor(i);
            if (tensor.Type != TensorType.Float32) throw new NotSupportedException($"{modelPath}: input {i} is not float32");
            SharedInputs.Float32(tensor.Write<float>().Length, 0, i).CopyTo(tensor.Write<float>());
        }
        FirstMs = TimeOne();
    }

    public string Runtime => "accel";
    public string Backend { get; }
    public int Threads { get; }
    public string ModelFile { get; }
    public double LoadMs { get; }
    public double CompileMs { get; }
    public double FirstMs { get; }
    public long? ArenaBytes => _interpreter.ArenaBytes;

    public double TimeOne()
    {
        if (_threadCpu)
        {
            double before = ThreadClock.NowMs();
            _interpreter.Invoke();
            return ThreadClock.NowMs() - before;
        }
        long start = Stopwatch.GetTimestamp();
        _interpreter.Invoke();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The first output, for checking that the peers compute the same network.</summary>
    public float[] Output(int index) => _interpreter.GetOutputTensor(index).Read<float>().ToArray();

    /// <summary>The output tensors' names (a converted model keeps the ONNX output names).</summary>
    public IReadOnlyList<string> OutputNames => Enumerable.Range(0, _interpreter.OutputCount).Select(i => _interpreter.GetOutputTensor(i).Name).ToArray();

    /// <summary>Whether output <paramref name="index"/> is float32 (only those are compared).</summary>
    public bool IsFloatOutput(int index) => _interpreter.GetOutputTensor(index).Type == TensorType.Float32;

    public void Dispose()
    {
        _interpreter.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// ONNX Runtime (native CPU execution provider) on an .onnx file: intra-op and inter-op threads fixed, sequential
/// execution, all graph optimizations; input and output buffers bound once so a run allocates nothing of ours.
/// </summary>
public sealed class OrtContender : IContender
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _threadCpu;

    /// <param name="nhwcInputs">
    /// The ONNX model is keijiro's Barracuda export of a .tflite, which Accel runs in its NHWC layout: an NCHW image
    /// input gets Accel's NHWC values transposed. False for a model converted from this ONNX file, whose inputs keep
    /// ONNX's layout: both sides take the same bytes.
    /// </param>
    /// <param name="threadCpu">
    /// Time each run by the calling thread's CPU time: with 1 intra-op thread ONNX Runtime runs every kernel on the
    /// caller's thread (no pool), so this counts all its work (1 thread only).
    /// </param>
    public OrtContender(string onnxPath, int threads, bool nhwcInputs = true, bool threadCpu = false)
    {
        if (threadCpu && threads != 1) throw new ArgumentException("the thread CPU clock times 1-thread runs only");
        _threadCpu = threadCpu;
        ModelFile = onnxPath;
        Threads = threads;
        var clock = Stopwatch.StartNew();
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(onnxPath, options);
        CompileMs = clock.Elapsed.TotalMilliseconds;
        _inputNames = _session.InputMetadata.Keys.ToArray();
        _outputNames = _session.OutputMetadata.Keys.ToArray();
        _inputs = new OrtValue[_inputNames.Length];
        for (int i = 0; i < _inputNames.Length; i++)
        {
            var meta = _session.InputMetadata[_inputNames[i]];
            long[] shape = meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
            InputShapes.Add(shape);
            var data = SharedInputs.Float32((int)shape.Aggregate(1L, (a, b) => a * b), 0, i);
            // Barracuda conversions keep TFLite's NHWC input; an NCHW input gets the same values transposed.
            if (nhwcInputs && shape.Length == 4 && shape[1] == 3 && shape[3] != 3) data = NhwcToNchw(data, shape);
            _inputs[i] = OrtValue.CreateTensorValueFromMemory(data, shape);
        }
        _outputs = _outputNames.Select(name =>
        {
            long[] shape = _session.OutputMetadata[name].Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
            OutputShapes.Add(shape);
            return OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
        }).ToArray();
        FirstMs = TimeOne();
    }

    public string Runtime => "onnxruntime";
    public string Backend => "cpu";
    public int Threads { get; }
    public string ModelFile { get; }
    public double LoadMs => 0;
    public double CompileMs { get; }
    public double FirstMs { get; }
    public List<long[]> InputShapes { get; } = new();
    public List<long[]> OutputShapes { get; } = new();
    public IReadOnlyList<string> OutputNames => _outputNames;

    public static string Version => typeof(InferenceSession).Assembly.GetName().Version?.ToString() ?? "?";

    public double TimeOne()
    {
        if (_threadCpu)
        {
            double before = ThreadClock.NowMs();
            _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
            return ThreadClock.NowMs() - before;
        }
        long start = Stopwatch.GetTimestamp();
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public float[] Output(int index) => _outputs[index].GetTensorDataAsSpan<float>().ToArray();

    private static float[] NhwcToNchw(float[] nhwc, long[] nchw)
    {
        int c = (int)nchw[1], h = (int)nchw[2], w = (int)nchw[3];
        var result = new float[nhwc.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                    result[(ch * h + y) * w + x] = nhwc[(y * w + x) * c + ch];
        return result;
    }

    public void Dispose()
    {
        foreach (var v in _inputs) v.Dispose();
        foreach (var v in _outputs) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>
/// LiteRT.js in a Node child process (<c>conformance/oracle/bench.mjs --serve</c>): each <see cref="TimeOne"/>
/// sends "run 1" and reads back the time Node measured around <c>model.run()</c>, so the pipe is not timed.
/// </summary>
public sealed class LiteRtContender : IContender
{
    private readonly Process _node;

    public LiteRtContender(string benchScript, string modelPath, string build, int threads, TextWriter log)
    {
        ModelFile = modelPath;
        Backend = "wasm-" + build;
        Threads = threads;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (build != "compat") start.ArgumentList.Add("--experimental-wasm-relaxed-simd");
        foreach (var a in new[] { benchScript, "--serve", modelPath, "--wasm-build", build, "--threads", threads.ToString(), "--warmup", "0" })
            start.ArgumentList.Add(a);
        _node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        _node.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) lock (log) log.WriteLine($"  [node {build}] {e.Data}"); };
        _node.BeginErrorReadLine();
        string ready = _node.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"LiteRT.js ({build}) exited before it was ready (exit code {(_node.WaitForExit(5000) ? _node.ExitCode : -1)}); see the [node] lines above");
        using var doc = JsonDocument.Parse(ready);
        var root = doc.RootElement;
        LoadMs = root.GetProperty("loadMs").GetDouble();
        CompileMs = root.GetProperty("compileMs").GetDouble();
        FirstMs = root.GetProperty("firstMs").GetDouble();
        RuntimeVersion = root.GetProperty("runtime").GetString() ?? "?";
    }

    public string Runtime => "litert.js";
    public string Backend { get; }
    public int Threads { get; }
    public string ModelFile { get; }
    public double LoadMs { get; }
    public double CompileMs { get; }
    public double FirstMs { get; }
    public string RuntimeVersion { get; }

    public double TimeOne()
    {
        _node.StandardInput.WriteLine("run 1");
        _node.StandardInput.Flush();
        string line = _node.StandardOutput.ReadLine() ?? throw new InvalidOperationException("LiteRT.js exited during the run");
        using var doc = JsonDocument.Parse(line);
        if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"LiteRT.js: {error.GetString()}");
        return doc.RootElement.GetProperty("samplesMs")[0].GetDouble();
    }

    public void Dispose()
    {
        try
        {
            _node.StandardInput.WriteLine("quit");
            _node.StandardInput.Close();
            if (!_node.WaitForExit(10_000)) _node.Kill();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // already gone
        }
        _node.Dispose();
    }
}
