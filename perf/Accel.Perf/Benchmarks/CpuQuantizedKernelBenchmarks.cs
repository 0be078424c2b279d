using System.Runtime.InteropServices;
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
/// The CPU delegate's integer kernels against its float32 ones on the same single-node shapes (issue 13): CONV_2D 1×1
/// and 3×3, DEPTHWISE_CONV_2D 3×3 and FULLY_CONNECTED, each as a float32 model and as an int8 model (per-channel int8
/// weights, int32 bias, int8 activations; the same MACs). The GOP/s column counts 2 operations per multiply-accumulate
/// for both precisions. A residual ADD (two activations of the same shape, int8 scales as a network's) rounds the set
/// off: there the rate counts output elements.
/// </summary>
[Config(typeof(Config))]
public class CpuQuantizedKernelBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(PerfJobs.Load)
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, new RateColumn("GOP/s"), new RateColumn("best GOP/s", fromMinimum: true));
            AddExporter(JsonExporter.Full, CsvExporter.Default);
        }
    }

    /// <summary>Kernel name → (input H, W, C, output C, kernel size, op). FULLY_CONNECTED: H = batch rows, C = depth.</summary>
    private static readonly Dictionary<string, (int H, int W, int C, int Out, int K, BuiltinOperator Op)> Shapes = new()
    {
        ["conv1x1 56x56x128->128"] = (56, 56, 128, 128, 1, BuiltinOperator.Conv2D),
        ["conv3x3 56x56x64->64"] = (56, 56, 64, 64, 3, BuiltinOperator.Conv2D),
        ["dwconv3x3 112x112x64"] = (112, 112, 64, 64, 3, BuiltinOperator.DepthwiseConv2D),
        ["dwconv3x3 28x28x256"] = (28, 28, 256, 256, 3, BuiltinOperator.DepthwiseConv2D),
        ["fc 1x1024->1000"] = (1, 1, 1024, 1000, 1, BuiltinOperator.FullyConnected),
        ["fc 64x1024->1024"] = (64, 1, 1024, 1024, 1, BuiltinOperator.FullyConnected),
        // Small layers as in the corpus networks (pose_landmark_full's segmentation head and its 128x128 stages).
        ["conv3x3 128x128x32->1"] = (128, 128, 32, 1, 3, BuiltinOperator.Conv2D),
        ["conv1x1 128x128x32->32"] = (128, 128, 32, 32, 1, BuiltinOperator.Conv2D),
        ["dwconv3x3 128x128x32"] = (128, 128, 32, 32, 3, BuiltinOperator.DepthwiseConv2D),
        ["add 64x64x32"] = (64, 64, 32, 32, 1, BuiltinOperator.Add),
        // pose_landmark_heavy's 128x128 stage: pointwise layers of K = 24 (a 24-channel expansion and projection).
        ["conv1x1 128x128x24->96"] = (128, 128, 24, 96, 1, BuiltinOperator.Conv2D),
        ["conv1x1 128x128x96->24"] = (128, 128, 96, 24, 1, BuiltinOperator.Conv2D),
    };

    public static IEnumerable<string> Kernels => Shapes.Keys;

    /// <summary>Multiply-accumulates of one invoke (SAME padding, stride 1).</summary>
    public static long MacsOf(string kernel)
    {
        var s = Shapes[kernel];
        long pixels = (long)s.H * s.W;
        return s.Op switch
        {
            BuiltinOperator.DepthwiseConv2D => pixels * s.C * s.K * s.K,
            BuiltinOperator.Add => pixels * s.C / 2, // one addition per element: "GOP/s" then counts elements
            _ => pixels * s.Out * s.K * s.K * s.C,
        };
    }

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = "";

    [Params("float32", "int8")]
    public string Precision { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    private TfliteModel? _model;
    private Interpreter? _interpreter;

    [GlobalSetup]
    public void Setup()
    {
        _model = TfliteModel.FromBytes(Build(Kernel, Precision == "int8"));
        var options = new InterpreterOptions { Threads = Threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        _interpreter = new Interpreter(_model, options);
        _interpreter.AllocateTensors();
        if (_interpreter.Plan.DelegatedNodeCount != 1) throw new InvalidOperationException($"{Kernel} {Precision}: the CPU delegate did not claim the node");
        FillInputs(_interpreter);
    }

    /// <summary>Deterministic inputs: float32 as the corpus models', 8-bit ones a fixed byte pattern.</summary>
    public static void FillInputs(Interpreter interpreter)
    {
        if (interpreter.GetInputTensor(0).Type == TensorType.Float32)
        {
            CorpusModels.FillInputs(interpreter);
            return;
        }
        for (int input = 0; input < interpreter.InputCount; input++)
        {
            var bytes = interpreter.GetInputTensor(input).WritableBytes;
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)((i + 31 * input) * 7919 >> 3);
        }
    }

    [Benchmark]
    public void Run() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }

    /// <summary>The one-node model, float32 or int8 (ReLU fused; deterministic weights).</summary>
    public static byte[] Build(string kernel, bool int8)
    {
        var s = Shapes[kernel];
        if (s.Op == BuiltinOperator.Add) return BuildAdd(kernel, s.H, s.W, s.C, int8);
        var b = new ModelBuilder(kernel + (int8 ? " int8" : ""));
        bool fc = s.Op == BuiltinOperator.FullyConnected;
        int[] inputShape = fc ? [s.H, s.C] : [1, s.H, s.W, s.C];
        int[] outputShape = fc ? [s.H, s.Out] : [1, s.H, s.W, s.Out];
        int[] weightShape = s.Op switch
        {
            BuiltinOperator.DepthwiseConv2D => [1, s.K, s.K, s.C],
            BuiltinOperator.FullyConnected => [s.Out, s.C],
            _ => [s.Out, s.K, s.K, s.C],
        };
        int weightCount = weightShape.Aggregate(1, (x, y) => x * y);
        int axis = s.Op == BuiltinOperator.DepthwiseConv2D ? 3 : 0;
        int input, output, weights, bias;
        if (int8)
        {
            const float inputScale = 0.05f;
            var scales = Enumerable.Range(0, s.Out).Select(c => 0.01f * (1 + c % 7) / 4).ToArray();
            input = b.AddTensor("input", TensorType.Int8, inputShape, Q([inputScale], -3, 0));
            output = b.AddTensor("output", TensorType.Int8, outputShape, Q([0.5f], 5, 0));
            byte[] w = new byte[weightCount];
            for (int i = 0; i < w.Length; i++) w[i] = (byte)(((i * 7919) % 255) - 127);
            weights = b.AddConstant("weights", TensorType.Int8, weightShape, w, Q(scales, 0, axis));
            int[] biasValues = Enumerable.Range(0, s.Out).Select(c => (c * 37 % 200) - 100).ToArray();
            bias = b.AddConstant("bias", TensorType.Int32, [s.Out], MemoryMarshal.AsBytes(biasValues.AsSpan()),
                Q(scales.Select(x => inputScale * x).ToArray(), 0, 0));
        }
        else
        {
            input = b.AddTensor("input", TensorType.Float32, inputShape);
            output = b.AddTensor("output", TensorType.Float32, outputShape);
            weights = b.AddConstant("weights", weightShape, Values(weightCount, 0.05f));
            bias = b.AddConstant("bias", [s.Out], Values(s.Out, 0.01f));
        }
        OperatorOptions options = s.Op switch
        {
            BuiltinOperator.DepthwiseConv2D => new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.Relu),
            BuiltinOperator.FullyConnected => new FullyConnectedOptions(ActivationFunctionType.Relu),
            _ => new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu),
        };
        b.AddOperator(s.Op, [input, weights, bias], [output], options, version: int8 ? 3 : 1);
        b.AddInput(input);
        b.AddOutput(output);
        return b.Build();
    }

    /// <summary>A residual ADD of two [1, H, W, C] activations (int8: different input scales and zero points, as in a network).</summary>
    private static byte[] BuildAdd(string kernel, int h, int w, int c, bool int8)
    {
        var b = new ModelBuilder(kernel + (int8 ? " int8" : ""));
        int[] shape = [1, h, w, c];
        var type = int8 ? TensorType.Int8 : TensorType.Float32;
        int x = b.AddTensor("x", type, shape, int8 ? Q([0.047f], -6, 0) : null);
        int y = b.AddTensor("y", type, shape, int8 ? Q([0.081f], 11, 0) : null);
        int z = b.AddTensor("z", type, shape, int8 ? Q([0.093f], -2, 0) : null);
        b.AddOperator(BuiltinOperator.Add, [x, y], [z], new AddOptions(ActivationFunctionType.None), version: int8 ? 2 : 1);
        b.AddInput(x);
        b.AddInput(y);
        b.AddOutput(z);
        return b.Build();
    }

    private static QuantizationParameters Q(float[] scales, long zeroPoint, int axis) =>
        new(scales, Enumerable.Repeat(zeroPoint, scales.Length).ToArray(), axis, [], []);

    private static float[] Values(int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = scale * (((i * 7919) % 257) / 128f - 1f);
        return values;
    }
}
