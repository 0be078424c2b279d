using Accel.Building;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using TfliteModel = Accel.Model;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// Single-operator models of issue 12's element-wise, normalisation and reduction kernels, on the reference executor
/// and on the CPU delegate at 1 thread: the vectorized kernels (LOG, POW, FLOOR_DIV, SELECT_V2, CAST, LOG_SOFTMAX, the
/// int32/bool reductions, FLOOR_MOD float32 and the int32 divisions through binary64 lanes, clamped int32 ADD,
/// L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION) and SIN/COS (argument reduction lane by lane). Each
/// is a one-node .tflite built in memory with 262,144-element float32 operands (1 MiB), so the measurement is one
/// kernel plus one partition dispatch. A short job: the machine is shared, and the ratios, not the last microsecond,
/// are the point.
/// </summary>
[Config(typeof(Config))]
public class CpuOpBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(Job.Default.WithId("Op").WithWarmupCount(2).WithIterationCount(7)
            .WithIterationTime(TimeInterval.FromMilliseconds(150)))
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            AddExporter(JsonExporter.Full, CsvExporter.Default);
        }
    }

    public static IEnumerable<string> Ops =>
    [
        "LOG", "POW", "FLOOR_DIV", "SELECT_V2", "CAST float32->int32", "LOG_SOFTMAX [1024,256]", "SUM int32 [64,64,64] axis 1",
        "REDUCE_ANY bool [64,64,64] axis 1", "SIN", "COS", "FLOOR_MOD",
        "DIV int32", "FLOOR_DIV int32", "FLOOR_MOD int32", "ADD int32 RELU6", "L2_NORMALIZATION [4096,64]",
        "LOCAL_RESPONSE_NORMALIZATION [1,64,64,64] r=2",
    ];

    [ParamsSource(nameof(Ops))]
    public string Op { get; set; } = "";

    [Params("reference", "cpu")]
    public string Backend { get; set; } = "";

    private TfliteModel? _model;
    private Interpreter? _interpreter;

    [GlobalSetup]
    public void Setup()
    {
        _model = TfliteModel.FromBytes(Build(Op));
        var options = new InterpreterOptions { Threads = 1 };
        if (Backend == "cpu") options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        _interpreter = new Interpreter(_model, options);
        _interpreter.AllocateTensors();
        if (Backend == "cpu" && _interpreter.Plan.DelegatedNodeCount != 1)
            throw new InvalidOperationException($"{Op}: the CPU delegate did not claim the node");
        Fill(_interpreter);
    }

    [Benchmark]
    public void Run() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }

    private static readonly int[] Shape = [1, 128, 128, 16];

    /// <summary>The one-node model of <paramref name="op"/>.</summary>
    public static byte[] Build(string op)
    {
        var b = new ModelBuilder(op);
        int F(string name, int[]? shape = null, TensorType type = TensorType.Float32) => b.AddTensor(name, type, shape ?? Shape);
        int[] inputs, outputs;
        switch (op)
        {
            case "LOG" or "SIN" or "COS":
                inputs = [F("x")];
                outputs = [F("y")];
                b.AddOperator(op == "LOG" ? BuiltinOperator.Log : op == "SIN" ? BuiltinOperator.Sin : BuiltinOperator.Cos, inputs, outputs);
                break;
            case "POW" or "FLOOR_DIV" or "FLOOR_MOD":
                inputs = [F("a"), F("b")];
                outputs = [F("y")];
                b.AddOperator(op == "POW" ? BuiltinOperator.Pow : op == "FLOOR_DIV" ? BuiltinOperator.FloorDiv : BuiltinOperator.FloorMod, inputs, outputs);
                break;
            case "SELECT_V2":
                inputs = [F("c", type: TensorType.Bool), F("x"), F("y")];
                outputs = [F("out")];
                b.AddOperator(BuiltinOperator.SelectV2, inputs, outputs);
                break;
            case "CAST float32->int32":
                inputs = [F("x")];
                outputs = [F("y", type: TensorType.Int32)];
                b.AddOperator(BuiltinOperator.Cast, inputs, outputs);
                break;
            case "DIV int32" or "FLOOR_DIV int32" or "FLOOR_MOD int32" or "ADD int32 RELU6":
            {
                inputs = [F("a", type: TensorType.Int32), F("b", type: TensorType.Int32)];
                outputs = [F("y", type: TensorType.Int32)];
                var code = op switch
                {
                    "DIV int32" => BuiltinOperator.Div,
                    "FLOOR_DIV int32" => BuiltinOperator.FloorDiv,
                    "FLOOR_MOD int32" => BuiltinOperator.FloorMod,
                    _ => BuiltinOperator.Add,
                };
                b.AddOperator(code, inputs, outputs, code == BuiltinOperator.Add ? new AddOptions(ActivationFunctionType.Relu6) : null);
                break;
            }
            case "L2_NORMALIZATION [4096,64]":
                inputs = [F("x", [4096, 64])];
                outputs = [F("y", [4096, 64])];
                b.AddOperator(BuiltinOperator.L2Normalization, inputs, outputs, new L2NormOptions(ActivationFunctionType.None));
                break;
            case "LOCAL_RESPONSE_NORMALIZATION [1,64,64,64] r=2":
                inputs = [F("x", [1, 64, 64, 64])];
                outputs = [F("y", [1, 64, 64, 64])];
                b.AddOperator(BuiltinOperator.LocalResponseNormalization, inputs, outputs, new LocalResponseNormalizationOptions(2, 1f, 1e-4f, 0.75f));
                break;
            case "LOG_SOFTMAX [1024,256]":
                inputs = [F("x", [1024, 256])];
                outputs = [F("y", [1024, 256])];
                b.AddOperator(BuiltinOperator.LogSoftmax, inputs, outputs);
                break;
            default:
            {
                bool any = op.StartsWith("REDUCE_ANY", StringComparison.Ordinal);
                var type = any ? TensorType.Bool : TensorType.Int32;
                inputs = [F("x", [64, 64, 64], type)];
                outputs = [F("y", [64, 64], type)];
                int axes = b.AddConstant("axes", [1], [1]);
                b.AddOperator(any ? BuiltinOperator.ReduceAny : BuiltinOperator.Sum, [inputs[0], axes], outputs, new ReducerOptions(false));
                break;
            }
        }
        foreach (int i in inputs) b.AddInput(i);
        foreach (int o in outputs) b.AddOutput(o);
        return b.Build();
    }

    /// <summary>Deterministic inputs: positive bases and small integral exponents (POW), nonzero denominators, mixed bools.</summary>
    private static void Fill(Interpreter interpreter)
    {
        var random = new Random(12);
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            int n = (int)tensor.ElementCount;
            switch (tensor.Type)
            {
                case TensorType.Float32:
                {
                    var v = new float[n];
                    for (int k = 0; k < n; k++) v[k] = i == 1 ? random.Next(1, 5) * (random.Next(2) == 0 ? 1f : -1f) : random.NextSingle() * 20f + 0.01f;
                    tensor.CopyFrom<float>(v.AsSpan());
                    break;
                }
                case TensorType.Int32:
                {
                    var v = new int[n];
                    // Input 1 is a denominator for the divisions: never 0.
                    for (int k = 0; k < n; k++) v[k] = i == 1 ? random.Next(1, 1000) * (random.Next(2) == 0 ? 1 : -1) : random.Next(-1000000, 1000000);
                    tensor.CopyFrom<int>(v.AsSpan());
                    break;
                }
                default:
                {
                    var v = new byte[n];
                    for (int k = 0; k < n; k++) v[k] = random.Next(16) == 0 ? (byte)1 : (byte)0;
                    tensor.CopyFromBytes(v);
                    break;
                }
            }
        }
    }
}
