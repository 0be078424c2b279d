using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>Small float models built in memory for the optimizer tests.</summary>
internal static class TestModels
{
    /// <summary>How the tests run the optimizer's interpreters: one thread, the default memory limit.</summary>
    public static readonly RunSettings OneThread = new(Threads: 1, QuantizationOptions.DefaultMaxMemoryBytes);

    /// <summary>
    /// x [1,4] → FULLY_CONNECTED (W = [[1,−1,0,0],[0,0,1,−1]], b = [0.5, 0.125]) → y [1,2].
    /// For x = [1, −1, 0.5, 1.5]: y = [2.5, −0.875] exactly.
    /// </summary>
    public static byte[] FullyConnected()
    {
        var b = new ModelBuilder("fc");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int w = b.AddConstant("w", [2, 4], [1f, -1f, 0f, 0f, 0f, 0f, 1f, -1f]);
        int bias = b.AddConstant("b", [2], [0.5f, 0.125f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bias], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    public static readonly float[] FullyConnectedInput = [1f, -1f, 0.5f, 1.5f];

    /// <summary>
    /// A small image network touching most integer kernels: x [1,8,8,3] → CONV_2D 3×3 (4 ch, RELU) → DEPTHWISE 3×3 →
    /// ADD (with the conv output) → MAX_POOL 2×2 → MUL by a constant → LOGISTIC → CONCATENATION with the pool output →
    /// RESHAPE [1,128] → FULLY_CONNECTED (3) → SOFTMAX → y [1,3].
    /// Weights are a fixed pseudo-random sequence.
    /// </summary>
    public static byte[] SmallNetwork(bool withSoftmax = true) => SmallNetworkBuilder(withSoftmax).Build();

    /// <summary><see cref="SmallNetwork"/> before it is built (to add metadata).</summary>
    public static ModelBuilder SmallNetworkBuilder(bool withSoftmax = true)
    {
        var rng = new Random(7);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("small network");
        int x = b.AddTensor("x", TensorType.Float32, [1, 8, 8, 3]);
        int cw = b.AddConstant("conv/w", [4, 3, 3, 3], R(108, 0.5f));
        int cb = b.AddConstant("conv/b", [4], R(4, 0.1f));
        int c = b.AddTensor("conv", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        int dw = b.AddConstant("dw/w", [1, 3, 3, 4], R(36, 0.7f));
        int db = b.AddConstant("dw/b", [4], R(4, 0.1f));
        int d = b.AddTensor("dw", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [c, dw, db], [d], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
        int s = b.AddTensor("add", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.Add, [c, d], [s], new AddOptions(ActivationFunctionType.None));
        int p = b.AddTensor("pool", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.MaxPool2D, [s], [p], new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
        int k = b.AddConstant("mul/k", [4], [0.5f, -1f, 2f, 1.5f]);
        int m = b.AddTensor("mul", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Mul, [p, k], [m], new MulOptions(ActivationFunctionType.None));
        int l = b.AddTensor("logistic", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Logistic, [m], [l]);
        int cat = b.AddTensor("concat", TensorType.Float32, [1, 4, 4, 8]);
        b.AddOperator(BuiltinOperator.Concatenation, [l, p], [cat], new ConcatenationOptions(3, ActivationFunctionType.None));
        int shape = b.AddConstant("shape", [2], [1, 128]);
        int r = b.AddTensor("reshape", TensorType.Float32, [1, 128]);
        b.AddOperator(BuiltinOperator.Reshape, [cat, shape], [r], new ReshapeOptions([1, 128]));
        int fw = b.AddConstant("fc/w", [3, 128], R(384, 0.3f));
        int fb = b.AddConstant("fc/b", [3], R(3, 0.1f));
        int f = b.AddTensor("logits", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.FullyConnected, [r, fw, fb], [f], new FullyConnectedOptions(ActivationFunctionType.None));
        int y = f;
        if (withSoftmax)
        {
            y = b.AddTensor("probabilities", TensorType.Float32, [1, 3]);
            b.AddOperator(BuiltinOperator.Softmax, [f], [y], new SoftmaxOptions(1f));
        }
        b.AddInput(x);
        b.AddOutput(y);
        return b;
    }

    /// <summary>Deterministic samples for <see cref="SmallNetwork"/>: uniform in [−1, 1).</summary>
    public static List<CalibrationSample> SmallNetworkSamples(int count, int seed = 11)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new CalibrationSample([Enumerable.Range(0, 192).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()], $"sample {i}"))
            .ToList();
    }

    public static float[] RunFloat(byte[] model, CalibrationSample sample, bool cpuDelegate = false)
    {
        using var m = Model.FromBytes(model);
        using var interpreter = ModelRunner.Create(m, TestModels.OneThread, cpuDelegate);
        ModelRunner.Feed(interpreter, sample);
        interpreter.Invoke();
        return ModelRunner.ReadFloat(interpreter.GetOutputTensor(0));
    }

    public static byte[] RunRaw(byte[] model, CalibrationSample sample, bool cpuDelegate, int output = 0)
    {
        using var m = Model.FromBytes(model);
        using var interpreter = ModelRunner.Create(m, TestModels.OneThread, cpuDelegate);
        ModelRunner.Feed(interpreter, sample);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(output).Bytes.ToArray();
    }

    public static ModelTensor TensorNamed(Model model, string name) =>
        model.MainSubgraph.Tensors.Single(t => t.Name == name);

    public static T[] ConstantValues<T>(Model model, ModelTensor t) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(model.GetBytes(model.Buffers[t.BufferIndex])).ToArray();

    /// <summary>
    /// The model written once under the temporary folder, named by <paramref name="name"/> and its SHA-256 (written
    /// atomically, so concurrent tests never read half a file), for the TFLite oracle to load.
    /// </summary>
    public static string SaveForOracle(byte[] model, string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "accel-optimize-oracle");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + "-" + CorpusAssets.Sha256Hex(model)[..12] + ".tflite");
        if (!File.Exists(path)) AtomicFile.Write(path, model);
        return path;
    }

    /// <summary>TFLite's (the oracle's) run of <paramref name="model"/> on each single float32 input, in order.</summary>
    public static IReadOnlyList<OracleResult> RunOracle(byte[] model, string name, IEnumerable<float[]> inputs)
    {
        string path = SaveForOracle(model, name);
        var jobs = inputs.Select(input => new OracleJob(path, [MemoryMarshal.AsBytes(input.AsSpan()).ToArray()])).ToList();
        return OracleRunner.ForAssets(CorpusAssets.Locate()).Run(jobs);
    }

    /// <summary>TFLite's (the oracle's) result of <paramref name="model"/> on one float32 input.</summary>
    public static OracleResult RunOracle(byte[] model, string name, float[] input) => RunOracle(model, name, [input])[0];
}
