using System.Globalization;
using Accel.Conversion;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Optimize;
using Accel.Perf.Reporting;
using Microsoft.ML.OnnxRuntime;

namespace Accel.Perf.Peers;

/// <summary>
/// One ONNX network in four forms: Accel.Convert's float .tflite (ONNX's layout at the boundary, so both runtimes take
/// the same bytes), Accel's int8 .tflite of it (<see cref="ModelOptimizer.Quantize"/>, int8, min/max over the
/// calibration samples: what <c>accel convert X.onnx --quantize int8 --calibration …</c> writes), and two QDQ ONNX models of the float
/// ONNX carrying that int8 model's scales and zero points (<see cref="QdqWriter"/>), activations int8 and uint8.
/// </summary>
public sealed record QdqNetwork(string Name, byte[] FloatTflite, byte[] Int8Tflite, QdqModel Int8Qdq, QdqModel UInt8Qdq, int CalibrationSamples)
{
    /// <param name="calibration">The calibration samples for the float .tflite (NHWC float32 inputs).</param>
    public static QdqNetwork Prepare(string onnxPath, Func<Model, IReadOnlyList<CalibrationSample>> calibration)
    {
        byte[] onnx = File.ReadAllBytes(onnxPath);
        var conversion = OnnxConverter.Convert(onnx, new ConvertOptions { SourceName = Path.GetFileName(onnxPath) });
        using var floatModel = Model.FromBytes(conversion.Tflite);
        var samples = calibration(floatModel);
        var quantized = ModelOptimizer.Quantize(floatModel, new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false }, samples);
        using var int8 = Model.FromBytes(quantized.Model);
        return new QdqNetwork(Path.GetFileNameWithoutExtension(onnxPath), conversion.Tflite, quantized.Model,
            QdqWriter.Write(onnx, int8, QdqActivations.Int8), QdqWriter.Write(onnx, int8, QdqActivations.UInt8), samples.Count);
    }

    /// <summary>
    /// Op types of ONNX Runtime's optimized graph for <paramref name="onnxPath"/> (all optimizations, CPU, the graph
    /// ORT runs, as <c>optimized_model_filepath</c> saves it).
    /// </summary>
    public static IReadOnlyDictionary<string, int> OrtOptimizedOpCounts(string onnxPath)
    {
        string saved = Path.Combine(Path.GetTempPath(), $"accel-qdq-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions
                   {
                       GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = saved, IntraOpNumThreads = 1,
                       LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                   })
            using (new InferenceSession(onnxPath, options)) { }
            return QdqWriter.OpCounts(File.ReadAllBytes(saved));
        }
        finally
        {
            File.Delete(saved);
        }
    }
}

/// <summary>The peers tool's <c>qdq</c> command: Accel's int8 model against ONNX Runtime on the same network quantized (QDQ).</summary>
internal static class QdqPeers
{
    /// <summary>The converted networks whose every op ORT and Accel both run in int8 (BlazeFace: Conv, Relu, Add, MaxPool, Pad, Reshape, Concat).</summary>
    public static readonly string[] DefaultModels = ["face_detection_front_128x128_barracuda", "face_detection_back_256x256_barracuda"];

    public static IEnumerable<BenchRecord> Run(Options o, string session, AccelCache cache,
        Func<List<IContender>, Options, string, string, int, List<BenchRecord>> runSession)
    {
        var inv = CultureInfo.InvariantCulture;
        string[] images = Directory.Exists(cache.Images) ? Directory.GetFiles(cache.Images, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
        if (images.Length == 0) throw new FileNotFoundException($"no calibration images (*.png) in {cache.Images}: run scripts/ensure-assets.sh", cache.Images);
        var records = new List<BenchRecord>();
        foreach (string model in o.Models.Length > 0 ? o.Models : DefaultModels)
        {
            string onnx = Path.Combine(cache.OnnxModels, model.EndsWith(".onnx", StringComparison.Ordinal) ? model : model + ".onnx");
            if (!File.Exists(onnx)) throw new FileNotFoundException($"{onnx} is missing: run scripts/fetch-onnx-models.sh", onnx);
            // BlazeFace takes pixels in [-1, 1]; MLSD takes 0..255 and scales them itself.
            var (mean, std) = model.StartsWith("mlsd", StringComparison.Ordinal) ? (0f, 1f) : (127.5f, 127.5f);
            Console.WriteLine($"== ONNX Runtime {OrtContender.Version} QDQ vs Accel int8 on {Path.GetFileName(onnx)} ==");
            // Image calibration takes [1, H, W, 1|3]; another input (MLSD's RGBA) gets seeded uniform pixels in 0..255.
            string calibrationLabel = "";
            CalibrationSample? first = null;
            var network = QdqNetwork.Prepare(onnx, m =>
            {
                var shape = CalibrationData.FloatInputs(m)[0].Shape;
                List<CalibrationSample> samples;
                if (shape is [1, _, _, 1 or 3])
                {
                    samples = images.SelectMany(i => CalibrationData.FromImageViews(m, i, mean, std)).ToList();
                    calibrationLabel = $"{images.Length} images x {Enum.GetValues<CalibrationView>().Length} views, (v - {mean}) / {std}";
                }
                else
                {
                    int n = shape.Aggregate(1, (a, b) => a * b);
                    samples = Enumerable.Range(1, 8).Select(seed => new CalibrationSample([SharedInputs.Float32(n, (ulong)seed).Select(v => (v + 1) * 127.5f).ToArray()], $"seed {seed}")).ToList();
                    calibrationLabel = $"input [{string.Join(",", shape)}] is no image: 8 seeded uniform inputs in [0, 255)";
                }
                first = samples[0];
                return samples;
            });
            Console.WriteLine($"  calibration: {network.CalibrationSamples} samples ({calibrationLabel}), min/max");
            var q = network.Int8Qdq;
            Console.WriteLine($"  QDQ: {q.QuantizedValues} values quantized, {q.QuantizedWeights} Conv weights int8 per channel (max |w_q·s − w| {q.MaxWeightDeviation.ToString("0.000", inv)} LSB), " +
                              $"{q.RemovedActivations} Relu/Clip absorbed, opset {q.SourceOpset}{(q.SourceOpset < 13 ? " raised to 13" : "")}; left float: {(q.FloatValues.Count == 0 ? "none" : string.Join(", ", q.FloatValues))}");
            string stem = Path.Combine(Path.GetTempPath(), $"accel-qdq-{model}-{Guid.NewGuid():N}");
            var files = new[] { stem + ".float.tflite", stem + ".int8.tflite", stem + ".qdq-s8.onnx", stem + ".qdq-u8.onnx" };
            try
            {
                File.WriteAllBytes(files[0], network.FloatTflite);
                File.WriteAllBytes(files[1], network.Int8Tflite);
                File.WriteAllBytes(files[2], network.Int8Qdq.Bytes);
                File.WriteAllBytes(files[3], network.UInt8Qdq.Bytes);
                foreach (var (label, path) in new[] { ("QDQ int8", files[2]), ("QDQ uint8", files[3]) })
                {
                    var ops = QdqNetwork.OrtOptimizedOpCounts(path);
                    Console.WriteLine($"  ORT's optimized graph ({label}): {string.Join(", ", ops.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))}");
                }
                Compare(network, files, onnx, first!);
                foreach (int threads in o.Threads)
                {
                    bool threadCpu = o.ThreadCpu && threads == 1;
                    Console.WriteLine($"  -- {threads} thread{(threads == 1 ? "" : "s")} ({(threadCpu ? "calling thread's CPU time" : "wall clock")}) --");
                    var contenders = new List<IContender>();
                    try
                    {
                        contenders.Add(new AccelContender(files[1], "cpu", threads, threadCpu));
                        contenders.Add(new OrtContender(files[2], threads, nhwcInputs: false, threadCpu: threadCpu));
                        contenders.Add(new OrtContender(files[3], threads, nhwcInputs: false, threadCpu: threadCpu));
                        contenders.Add(new AccelContender(files[0], "cpu", threads, threadCpu));
                        contenders.Add(new OrtContender(onnx, threads, nhwcInputs: false, threadCpu: threadCpu));
                        Console.WriteLine("  contenders in order: Accel int8, ORT QDQ int8 (S8S8), ORT QDQ uint8 (U8S8), Accel float, ORT float");
                        records.AddRange(runSession(contenders, o with { ThreadCpu = threadCpu }, session, model, o.Rounds ?? 60));
                    }
                    finally
                    {
                        foreach (var c in contenders) c.Dispose();
                    }
                }
            }
            finally
            {
                foreach (string f in files) File.Delete(f);
            }
        }
        return records;
    }

    /// <summary>
    /// Accel's int8 outputs against ORT's on both QDQ models, in the int8 output's steps (LSB: its scale), for the
    /// shared seeded input and for the first calibration sample; the float models' distance for scale.
    /// </summary>
    private static void Compare(QdqNetwork network, string[] files, string onnx, CalibrationSample calibration)
    {
        var inv = CultureInfo.InvariantCulture;
        using var floatModel = Model.FromBytes(network.FloatTflite);
        var inputs = new (string Label, float[] Nhwc)[]
        {
            ("seeded uniform [-1, 1)", SharedInputs.Float32(CalibrationData.FloatInputs(floatModel)[0].Shape.Aggregate(1, (a, b) => a * b))),
            ("the first calibration sample (" + Path.GetFileName(calibration.Source) + ")", calibration.Inputs[0]),
        };
        using var int8 = Model.FromBytes(network.Int8Tflite);
        var scales = TfliteInt8.Read(int8).Activations;
        foreach (var (label, input) in inputs)
        {
            var accelInt8 = RunAccel(network.Int8Tflite, input);
            var accelFloat = RunAccel(network.FloatTflite, input);
            var ortS8 = RunOrt(files[2], input);
            var ortU8 = RunOrt(files[3], input);
            // ORT without graph optimizations runs the QDQ model as written: DequantizeLinear, the float op, QuantizeLinear.
            var ortU8Unfused = RunOrt(files[3], input, GraphOptimizationLevel.ORT_DISABLE_ALL);
            var ortFloat = RunOrt(onnx, input);
            Console.WriteLine($"  outputs on {label}:");
            Console.WriteLine($"    every int8 value, Accel int8 vs ORT QDQ int8 unfused: {CompareLayers(network, input)}");
            foreach (var (name, ours) in accelInt8)
            {
                float lsb = scales[name].Scale;
                string Lsb(float[] theirs) => Diff(ours, theirs, lsb);
                Console.WriteLine($"    {name} (LSB {lsb.ToString("g3", inv)}): Accel int8 vs ORT QDQ int8 {Lsb(ortS8[name])}, vs ORT QDQ uint8 {Lsb(ortU8[name])}; " +
                                  $"ORT QDQ int8 vs uint8 {Diff(ortS8[name], ortU8[name], lsb)}; ORT QDQ uint8 fused vs unfused {Diff(ortU8[name], ortU8Unfused[name], lsb)}, " +
                                  $"Accel int8 vs ORT unfused {Lsb(ortU8Unfused[name])}; " +
                                  $"int8 vs float: Accel {OutputAgreement.Of(ours, accelFloat[name]).RelativeL2.ToString("0.0e0", inv)}, ORT {OutputAgreement.Of(ortS8[name], ortFloat[name]).RelativeL2.ToString("0.0e0", inv)} relative L2");
            }
        }
    }

    /// <summary>
    /// Every value both int8 runs hold (Accel's int8 activations, ORT's QuantizeLinear outputs, the QDQ int8 model run
    /// without graph optimizations), in the QDQ model's order: how many are equal and where they first part.
    /// </summary>
    private static string CompareLayers(QdqNetwork network, float[] input)
    {
        using var int8 = Model.FromBytes(network.Int8Tflite);
        var (bytes, names) = QdqLayers.WithEveryActivation(int8);
        using var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = 1 };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        input.CopyTo(interpreter.GetInputTensor(0).Write<float>());
        interpreter.Invoke();
        var accel = new Dictionary<string, (sbyte[] Values, int[] Shape, string Tflite)>();
        for (int i = 0; i < interpreter.OutputCount; i++)
        {
            var t = interpreter.GetOutputTensor(i);
            if (names.TryGetValue(t.Name, out string? onnxName)) accel[onnxName] = (t.Read<sbyte>().ToArray(), t.Shape.ToArray(), t.Name);
        }

        string path = Path.Combine(Path.GetTempPath(), $"accel-qdq-layers-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, QdqLayers.WithEveryQuantized(network.Int8Qdq.Bytes));
            using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(path, sessionOptions);
            var (inputName, meta) = session.InputMetadata.Single();
            using var value = OrtValue.CreateTensorValueFromMemory(input, meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray());
            var wanted = session.OutputNames.Where(n => n.EndsWith("_quantized", StringComparison.Ordinal)).ToList();
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [inputName], [value], wanted);
            int compared = 0, equal = 0, withinOne = 0;
            string? first = null, firstBeyond = null;
            var trail = new List<string>();
            var worst = (Name: "", Steps: 0);
            foreach (var (name, output) in wanted.Zip(outputs))
            {
                string onnxName = name[..^"_quantized".Length];
                if (!accel.TryGetValue(onnxName, out var ours)) continue;
                var theirs = output.GetTensorDataAsSpan<sbyte>().ToArray();
                long[] theirShape = output.GetTensorTypeAndShape().Shape;
                theirs = ToTfliteLayout(theirs, theirShape, ours.Tflite, ours.Shape);
                if (theirs.Length != ours.Values.Length) continue;
                compared++;
                int steps = 0, differing = 0;
                for (int k = 0; k < theirs.Length; k++)
                {
                    int d = Math.Abs(ours.Values[k] - theirs[k]);
                    steps = Math.Max(steps, d);
                    if (d > 0) differing++;
                }
                trail.Add(FormattableString.Invariant($"{steps}:{100.0 * differing / theirs.Length:0.#}%"));
                if (steps == 0) equal++;
                else if (steps == 1) withinOne++;
                if (steps > 0 && first is null) first = FormattableString.Invariant($"first differs at '{onnxName}' ({differing} of {theirs.Length} elements, max {steps})");
                if (steps > 1 && firstBeyond is null) firstBeyond = FormattableString.Invariant($"first beyond 1 LSB at '{onnxName}' ({differing} of {theirs.Length} elements, max {steps})");
                if (steps > worst.Steps) worst = (onnxName, steps);
            }
            return FormattableString.Invariant($"{compared} values: {equal} equal, {withinOne} within 1 LSB, {compared - equal - withinOne} beyond") +
                   (first is null ? "" : $"; {first}; {firstBeyond ?? "none beyond 1 LSB"}; largest {worst.Steps} LSB at '{worst.Name}'") +
                   $"; in order, max LSB:% of elements differing: {string.Join(" ", trail)}";
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An ONNX value's elements in the .tflite tensor's layout: its name's mark ("/0231") is the permutation from ONNX's dimensions.</summary>
    private static sbyte[] ToTfliteLayout(sbyte[] values, long[] onnxShape, string tfliteName, int[] tfliteShape)
    {
        string name = tfliteName.EndsWith("_int8", StringComparison.Ordinal) ? tfliteName[..^5] : tfliteName;
        string mark = name[(name.LastIndexOf('/') + 1)..];
        if (mark.Length != onnxShape.Length || !mark.All(char.IsAsciiDigit) || mark.Length != tfliteShape.Length) return values;
        int[] perm = mark.Select(c => c - '0').ToArray();
        int rank = perm.Length;
        var strides = new long[rank];
        for (int d = rank - 1, s = 1; d >= 0; s *= (int)onnxShape[d], d--) strides[d] = s;
        var result = new sbyte[values.Length];
        var index = new int[rank];
        for (int k = 0; k < result.Length; k++)
        {
            long source = 0;
            for (int d = 0; d < rank; d++) source += index[d] * strides[perm[d]];
            result[k] = values[source];
            for (int d = rank - 1; d >= 0 && ++index[d] == tfliteShape[d]; d--) index[d] = 0;
        }
        return result;
    }

    /// <summary>Max |a − b| in LSB, and how many elements differ by 0, 1, 2 or more LSB.</summary>
    internal static string Diff(float[] a, float[] b, float lsb)
    {
        int[] histogram = new int[3];
        double worst = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double steps = Math.Abs(a[k] - b[k]) / lsb;
            worst = Math.Max(worst, steps);
            histogram[Math.Min(2, (int)Math.Round(steps))]++;
        }
        return FormattableString.Invariant($"max {worst:0.##} LSB ({histogram[0]}/{histogram[1]}/{histogram[2]} of {a.Length} at 0/1/≥2)");
    }

    private static Dictionary<string, float[]> RunAccel(byte[] tflite, float[] input)
    {
        using var model = Model.FromBytes(tflite);
        var options = new InterpreterOptions { Threads = 1 };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        input.CopyTo(interpreter.GetInputTensor(0).Write<float>());
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(interpreter.GetOutputTensor)
            .ToDictionary(t => t.Name, t => t.Read<float>().ToArray());
    }

    /// <summary>ORT on an ONNX model with one input, fed the bytes Accel's conversion of it takes (the same layout).</summary>
    private static Dictionary<string, float[]> RunOrt(string onnx, float[] input, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnx, options);
        var (name, meta) = session.InputMetadata.Single();
        long[] shape = meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [name], [value], session.OutputNames);
        return session.OutputNames.Zip(outputs).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
    }
}
