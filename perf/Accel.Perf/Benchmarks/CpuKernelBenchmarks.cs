using Accel.Building;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using TfliteModel = Accel.Model;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// Single-operator models run through the CPU delegate, at 1 and 2 threads: the shapes that dominate the corpus
/// (big 1×1 convolutions, a 3×3 convolution, 3×3 depthwise). Each is a one-node .tflite built in memory with
/// <see cref="ModelBuilder"/>, so the measurement is the delegate's kernel plus one partition dispatch. The
/// GFLOP/s column (2 FLOPs per MAC) compares directly with <see cref="MachineLimitsBenchmarks.FmaPeak"/>.
/// </summary>
[Config(typeof(Config))]
public class CpuKernelBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(PerfJobs.Load)
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, new RateColumn("GFLOP/s"), new RateColumn("best GFLOP/s", fromMinimum: true));
            AddExporter(JsonExporter.Full, CsvExporter.Default);
        }
    }

    /// <summary>Kernel name → (input H, W, C, output C, kernel size, depthwise).</summary>
    private static readonly Dictionary<string, (int H, int W, int C, int Out, int K, bool Depthwise)> Shapes = new()
    {
        ["conv1x1 56x56x128->128"] = (56, 56, 128, 128, 1, false),
        ["conv1x1 28x28x256->256"] = (28, 28, 256, 256, 1, false),
        ["conv3x3 56x56x64->64"] = (56, 56, 64, 64, 3, false),
        ["dwconv3x3 112x112x64"] = (112, 112, 64, 64, 3, true),
        ["dwconv5x5 16x16x960"] = (16, 16, 960, 960, 5, true),   // pose_landmark_heavy's late blocks
        ["dwconv3x3 64x64x192"] = (64, 64, 192, 192, 3, true),
    };

    public static IEnumerable<string> Kernels => Shapes.Keys;

    /// <summary>Multiply-accumulates of one invoke (SAME padding, stride 1: output pixels = input pixels).</summary>
    public static long MacsOf(string kernel)
    {
        var s = Shapes[kernel];
        long pixels = (long)s.H * s.W;
        return s.Depthwise ? pixels * s.C * s.K * s.K : pixels * s.Out * s.K * s.K * s.C;
    }

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    private TfliteModel? _model;
    private Interpreter? _interpreter;

    [GlobalSetup]
    public void Setup()
    {
        _model = TfliteModel.FromBytes(Build(Kernel));
        var options = new InterpreterOptions { Threads = Threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        _interpreter = new Interpreter(_model, options);
        _interpreter.AllocateTensors();
        if (_interpreter.Plan.DelegatedNodeCount != 1) throw new InvalidOperationException($"{Kernel}: the CPU delegate did not claim the node");
        CorpusModels.FillInputs(_interpreter);
    }

    [Benchmark]
    public void Run() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }

    /// <summary>The one-node model: float32 NHWC input, constant weights and bias with small deterministic values, ReLU fused.</summary>
    public static byte[] Build(string kernel)
    {
        var s = Shapes[kernel];
        var b = new ModelBuilder(kernel);
        int input = b.AddTensor("input", TensorType.Float32, [1, s.H, s.W, s.C]);
        int output = b.AddTensor("output", TensorType.Float32, [1, s.H, s.W, s.Out]);
        int bias = b.AddConstant("bias", [s.Out], Values(s.Out, 0.01f));
        if (s.Depthwise)
        {
            int weights = b.AddConstant("weights", [1, s.K, s.K, s.C], Values(s.K * s.K * s.C, 0.1f));
            b.AddOperator(BuiltinOperator.DepthwiseConv2D, [input, weights, bias], [output],
                new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.Relu), version: 2);
        }
        else
        {
            int weights = b.AddConstant("weights", [s.Out, s.K, s.K, s.C], Values(s.Out * s.K * s.K * s.C, 0.05f));
            b.AddOperator(BuiltinOperator.Conv2D, [input, weights, bias], [output],
                new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        }
        b.AddInput(input);
        b.AddOutput(output);
        return b.Build();
    }

    private static float[] Values(int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = scale * (((i * 7919) % 257) / 128f - 1f);
        return values;
    }
}
