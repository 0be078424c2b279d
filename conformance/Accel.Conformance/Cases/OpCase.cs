using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Accel.Building;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>
/// One operator case from conformance/cases/ops.json: an operator, a dtype and a full parameter set, built into a
/// one-operator model with <see cref="ModelBuilder"/>. Inputs and weights come from <see cref="ValueSets"/> seeded by
/// <see cref="ValueSets.SeedFor"/>(case id, tensor name).
/// </summary>
public sealed class OpCase : ConformanceCase
{
    internal OpCase(string id, OpBuilder builder, TensorType dtype, IReadOnlyDictionary<string, JsonElement> parameters,
        string variant, string? tfliteNote, string sourceFile)
        : base(id)
    {
        Builder = builder;
        DType = dtype;
        Parameters = parameters;
        Variant = variant;
        bool extreme = parameters.Any(p => p.Key is "values" or "weights" && p.Value.GetString() is "large" or "special");
        TfliteNote = extreme ? (tfliteNote is null ? ExtremeValuesNote : tfliteNote + " " + ExtremeValuesNote) : tfliteNote;
        SourceFile = sourceFile;
    }

    /// <summary>The note recorded for cases with extreme values when the op has none of its own.</summary>
    public const string ExtremeValuesNote =
        "Extreme values: results involving inf, NaN or overflow follow docs/numerics.md (evaluation order, skipped " +
        "padding taps, NaN propagation), not XNNPACK's; TFLite may differ on non-finite elements.";

    internal OpBuilder Builder { get; }
    public string Op => Builder.Op;
    public OperatorCode Code => Builder.Code;
    public TensorType DType { get; }
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; }

    /// <summary>The parameters that differ from the op's base entry (<c>base</c> when none).</summary>
    public string Variant { get; }
    public override string? TfliteNote { get; }
    public string SourceFile { get; }
    public override CaseKind Kind => CaseKind.Op;

    public override string Summary =>
        $"{Op} {DType.ToDisplayName()} " + string.Join(" ", Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={OpParameters.Format(p.Value)}"));

    public override CaseInstance Materialize(SuiteContext suite)
    {
        var context = Build(oracleAdapter: false);
        byte[] bytes = context.BuildModel();
        return new CaseInstance($"in-memory {Op} model ({SourceFile})", null, bytes, SuiteContext.Sha256Hex(bytes), context.InputBytes);
    }

    /// <summary>
    /// The model TFLite runs for the cross-check when the case has tensors LiteRT.js can neither feed nor read: each
    /// bool model input becomes a uint8 input (the same bytes) followed by CAST to bool; each bool or int64 model output
    /// is read through a CAST to int32 (bool: 0 or 1; int64: exact while values fit int32), and each output LiteRT.js
    /// cannot return as is (dynamic or persistent, see <see cref="OpCaseContext.Output"/>) through a CAST to its own
    /// dtype. The operator under test and its other tensors are unchanged. Null when nothing is adapted (TFLite then
    /// runs the case's own model). The inputs are the case's (<see cref="Materialize"/>).
    /// </summary>
    public byte[]? OracleAdapterModel()
    {
        var context = Build(oracleAdapter: true);
        return context.AdaptedTensors == 0 ? null : context.BuildModel();
    }

    /// <summary>What <see cref="OracleAdapterModel"/> changes, for the golden manifest; null when it is null.</summary>
    public string? OracleAdapterDescription()
    {
        var context = Build(oracleAdapter: true);
        return context.AdaptedTensors == 0 ? null : string.Join("; ", context.Adaptations);
    }

    private OpCaseContext Build(bool oracleAdapter)
    {
        var context = new OpCaseContext(this, oracleAdapter);
        try
        {
            Builder.Build(context);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException or OverflowException
                                       or KernelException)
        {
            // KernelException: the operator's definition (which gives every output shape) rejects the node.
            throw new CaseDefinitionException($"{Id} ({SourceFile}): {e.Message}", e);
        }
        return context;
    }
}

/// <summary>Typed access to an op case's parameters; a wrong type or a missing required value names the parameter.</summary>
internal sealed class OpParameters(IReadOnlyDictionary<string, JsonElement> values)
{
    public bool Has(string name) => values.ContainsKey(name);

    private JsonElement Get(string name) =>
        values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"parameter '{name}' is required");

    public int Int(string name, int? fallback = null) =>
        values.TryGetValue(name, out var v) ? v.GetInt32() : fallback ?? throw new KeyNotFoundException($"parameter '{name}' is required");

    public double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? v.GetDouble() : fallback;

    public bool Bool(string name, bool fallback) => values.TryGetValue(name, out var v) ? v.GetBoolean() : fallback;

    public string String(string name, string fallback) => values.TryGetValue(name, out var v) ? v.GetString()! : fallback;

    public int[] Ints(string name) => Get(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public int[] Ints(string name, int[] fallback) => Has(name) ? Ints(name) : fallback;

    /// <summary>A (height, width) pair written as <c>2</c> or <c>[2, 1]</c>.</summary>
    public (int H, int W) Pair(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var v)) return (fallback, fallback);
        if (v.ValueKind == JsonValueKind.Number) return (v.GetInt32(), v.GetInt32());
        int[] pair = v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        if (pair.Length != 2) throw new FormatException($"parameter '{name}' must be a number or [height, width]");
        return (pair[0], pair[1]);
    }

    public int[][] Shapes(string name) =>
        Get(name).EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();

    public Padding Padding(string name = "padding") => String(name, "SAME") switch
    {
        "SAME" => Accel.Padding.Same,
        "VALID" => Accel.Padding.Valid,
        var other => throw new FormatException($"parameter '{name}' must be SAME or VALID, not '{other}'"),
    };

    public ActivationFunctionType Activation(string name = "activation") => String(name, "NONE") switch
    {
        "NONE" => ActivationFunctionType.None,
        "RELU" => ActivationFunctionType.Relu,
        "RELU_N1_TO_1" => ActivationFunctionType.ReluN1To1,
        "RELU6" => ActivationFunctionType.Relu6,
        "TANH" => ActivationFunctionType.Tanh,
        var other => throw new FormatException($"parameter '{name}' must be NONE, RELU, RELU_N1_TO_1, RELU6 or TANH, not '{other}'"),
    };

    /// <summary>How a parameter value appears in a case id: numbers as is, arrays joined by 'x', nested by '_'.</summary>
    public static string Format(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => string.Join(value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Array) ? "_" : "x",
            value.EnumerateArray().Select(Format)),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}

/// <summary>What an op builder works with: the case's parameters and a <see cref="ModelBuilder"/> that records input bytes.</summary>
internal sealed class OpCaseContext
{
    private readonly OpCase _case;
    private readonly List<byte[]> _inputs = new();

    private readonly bool _oracleAdapter;

    /// <summary>
    /// Outputs to read through a CAST once the operators are added (oracle adapter only): bool (and int64) to int32,
    /// which LiteRT.js can return; outputs TFLite sizes at Invoke or keeps in persistent memory to their own dtype.
    /// </summary>
    private readonly List<(int Tensor, int Read)> _castOutputs = new();

    /// <param name="oracleAdapter">Build the model TFLite runs (<see cref="OpCase.OracleAdapterModel"/>): bool model inputs
    /// and outputs through CASTs from uint8 and to int32.</param>
    public OpCaseContext(OpCase opCase, bool oracleAdapter = false)
    {
        _case = opCase;
        _oracleAdapter = oracleAdapter;
        P = new OpParameters(opCase.Parameters);
        Model = new ModelBuilder($"accel conformance case {opCase.Id}");
    }

    /// <summary>How many inputs and outputs the oracle adapter put a CAST on.</summary>
    public int AdaptedTensors { get; private set; }

    /// <summary>What the oracle adapter did, one phrase per kind of change, in the order first made.</summary>
    public IReadOnlyCollection<string> Adaptations => _adaptations;

    private readonly SortedSet<string> _adaptations = new(StringComparer.Ordinal);

    /// <summary>The model's bytes (with the oracle adapter: after the CASTs that read the bool outputs).</summary>
    public byte[] BuildModel()
    {
        foreach (var (tensor, read) in _castOutputs) Model.AddOperator(BuiltinOperator.Cast, [tensor], [read]);
        _castOutputs.Clear();
        return Model.Build();
    }

    public OpParameters P { get; }
    public ModelBuilder Model { get; }
    public TensorType DType => _case.DType;
    public IReadOnlyList<byte[]> InputBytes => _inputs;

    /// <summary>How each tensor added through this context looks to <see cref="OpShapeInference"/>, by tensor index.</summary>
    private readonly Dictionary<int, OpTensorSpec> _specs = new();

    /// <summary>
    /// Quantization given to every tensor of the case's dtype that a builder adds without any (inputs, constants,
    /// outputs): lets a plain data-movement builder build its quantized case unchanged. Null: none.
    /// </summary>
    public QuantizationParameters? DefaultQuantization { get; set; }

    private QuantizationParameters? Default(TensorType type, QuantizationParameters? given) => given ?? (type == DType ? DefaultQuantization : null);

    /// <summary>The case's value set for its data inputs (<c>values</c>, default uniform).</summary>
    public string Values => P.String("values", "uniform");

    /// <summary>Adds a model input of <paramref name="type"/> with generated data; returns its tensor index.</summary>
    public int Input(string name, TensorType type, int[] shape, string? valueSet = null, QuantizationParameters? quantization = null) =>
        Input(name, type, shape, Data(name, type, shape, valueSet ?? Values), quantization);

    /// <summary>Adds a model input holding <paramref name="data"/> (a builder's adjustment of <see cref="Data"/>); returns its tensor index.</summary>
    public int Input(string name, TensorType type, int[] shape, byte[] data, QuantizationParameters? quantization = null)
    {
        quantization = Default(type, quantization);
        _inputs.Add(data);
        if (_oracleAdapter && type is TensorType.Bool or TensorType.Int8)
        {
            // Fed as uint8 (the same bytes), CAST to bool (nonzero → true) or to int8 (the same two's-complement bits).
            int fed = Model.AddTensor(name + "_as_uint8", TensorType.UInt8, shape);
            Model.AddInput(fed);
            int cast = Model.AddTensor(name, type, shape, quantization);
            Model.AddOperator(BuiltinOperator.Cast, [fed], [cast]);
            AdaptedTensors++;
            _adaptations.Add(type == TensorType.Bool ? "bool inputs fed as uint8 through CAST to bool" : "int8 inputs fed as uint8 through CAST to int8");
            return Track(cast, new OpTensorSpec(type, shape, null, quantization) { Name = name });
        }
        if (_oracleAdapter && type == TensorType.Int16)
        {
            // Fed as int32 (the same values, sign-extended: OracleInputBytes), CAST to int16 (exact). TFLite then runs its
            // own int16 kernel on exactly the case's values.
            int fed = Model.AddTensor(name + "_as_int32", TensorType.Int32, shape);
            Model.AddInput(fed);
            int cast = Model.AddTensor(name, type, shape, quantization);
            Model.AddOperator(BuiltinOperator.Cast, [fed], [cast]);
            AdaptedTensors++;
            _adaptations.Add("int16 inputs fed as int32 through CAST to int16");
            return Track(cast, new OpTensorSpec(type, shape, null, quantization) { Name = name });
        }
        int tensor = Model.AddTensor(name, type, shape, quantization);
        Model.AddInput(tensor);
        return Track(tensor, new OpTensorSpec(type, shape, null, quantization) { Name = name });
    }

    /// <summary>
    /// Adds a model input fed exactly <paramref name="bytes"/> (a shape, k or max_output_size computed at run time): the
    /// runtime sees an activation, so the operator's output is dynamic, while shape inference sees the values, so the
    /// model records the output shape the definition gives them (the shape the output has after Invoke).
    /// </summary>
    public int ValueInput(string name, TensorType type, int[] shape, byte[] bytes)
    {
        _inputs.Add(bytes);
        int tensor = Model.AddTensor(name, type, shape);
        Model.AddInput(tensor);
        return Track(tensor, new OpTensorSpec(type, shape, bytes) { Name = name });
    }

    /// <summary>Adds a constant of <paramref name="type"/> with generated data.</summary>
    public int Constant(string name, TensorType type, int[] shape, string valueSet, QuantizationParameters? quantization = null)
    {
        quantization = Default(type, quantization);
        byte[] data = Data(name, type, shape, valueSet);
        return Track(Model.AddConstant(name, type, shape, data, quantization), new OpTensorSpec(type, shape, data, quantization) { Name = name });
    }

    /// <summary>Adds a constant holding <paramref name="data"/> (a builder's adjustment of <see cref="Data"/>).</summary>
    public int Constant(string name, TensorType type, int[] shape, byte[] data, QuantizationParameters? quantization = null)
    {
        quantization = Default(type, quantization);
        return Track(Model.AddConstant(name, type, shape, data, quantization), new OpTensorSpec(type, shape, data, quantization) { Name = name });
    }

    public int Int32Constant(string name, int[] shape, int[] values) =>
        Track(Model.AddConstant(name, shape, values), Int32Spec(name, shape, values));

    /// <summary>A float32 constant of given values (e.g. generated anchors), tracked for shape inference.</summary>
    public int Float32Constant(string name, int[] shape, float[] values)
    {
        byte[] data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return Track(Model.AddConstant(name, TensorType.Float32, shape, data),
            new OpTensorSpec(TensorType.Float32, shape, data, null) { Name = name });
    }

    /// <summary>Adds a sparse constant (DENSIFY's input) of dense shape <paramref name="shape"/>.</summary>
    public int SparseConstant(string name, TensorType type, int[] shape, SparsityParameters sparsity, byte[] stored) =>
        Track(Model.AddSparseConstant(name, type, shape, sparsity, stored), new OpTensorSpec(type, shape, stored, null, sparsity) { Name = name });

    /// <summary>The spec of an int32 constant, for a tensor added after the output (as RESHAPE's shape input is).</summary>
    public static OpTensorSpec Int32Spec(string name, int[] shape, int[] values) => OpTensorSpec.Int32Constant(shape, values) with { Name = name };

    /// <summary>How tensor <paramref name="index"/> (added through this context) looks to shape inference; null for -1.</summary>
    public OpTensorSpec? Spec(int index) =>
        index < 0 ? null : _specs.TryGetValue(index, out var spec) ? spec
            : throw new InvalidOperationException($"tensor {index} was not added through the case context");

    /// <summary>
    /// The output shape of a node from its operator's <see cref="OpDefinition"/> (TFLite's Prepare as Accel runs it):
    /// the builders compute no output size themselves.
    /// </summary>
    public static int[] InferOutputShape(OpId op, int version, OperatorOptions? options, ReadOnlyMemory<byte> customOptions,
        IReadOnlyList<OpTensorSpec?> inputs, TensorType outputType) =>
        OpShapeInference.Infer(op, version, options, customOptions, inputs, [outputType]).OutputShape;

    /// <summary>Adds a model output <paramref name="name"/> of the shape the definition of <paramref name="op"/> gives the node.</summary>
    public int InferredOutput(string name, TensorType type, OpId op, int[] inputs, OperatorOptions? options = null, int version = 1,
        ReadOnlyMemory<byte> customOptions = default, QuantizationParameters? quantization = null, bool oracleReadsThroughCast = false) =>
        Output(name, type, OpShapeInference.Infer(op, version, options, customOptions, inputs.Select(Spec).ToArray(), [type],
            [Default(type, quantization)]).OutputShape, quantization, oracleReadsThroughCast);

    /// <summary>
    /// Adds the output (shape from the definition) and then the builtin operator; returns the output. With
    /// <paramref name="oracleReadsThroughCast"/> the output is dynamic (see <see cref="Output"/>).
    /// </summary>
    public int AddOperator(BuiltinOperator op, int[] inputs, TensorType outputType, OperatorOptions? options = null, int version = 1,
        string outputName = "output", QuantizationParameters? outputQuantization = null, bool oracleReadsThroughCast = false)
    {
        int output = InferredOutput(outputName, outputType, op, inputs, options, version, quantization: outputQuantization,
            oracleReadsThroughCast: oracleReadsThroughCast);
        Model.AddOperator(op, inputs, [output], options, version);
        return output;
    }

    /// <param name="quantization">The output's quantization parameters (quantized cases).</param>
    /// <param name="oracleReadsThroughCast">TFLite (LiteRT.js) cannot return this output as is: it is dynamic (sized at
    /// Invoke) or persistent (SHAPE's, written at Prepare), and LiteRT.js returns the buffer it bound before Invoke. The
    /// oracle adapter reads it through a CAST (an ordinary tensor); int64 through CAST to int32.</param>
    public int Output(string name, TensorType type, int[] shape, QuantizationParameters? quantization = null, bool oracleReadsThroughCast = false)
    {
        quantization = Default(type, quantization);
        int tensor = Model.AddTensor(name, type, shape, quantization);
        if (_oracleAdapter && (type is TensorType.Bool or TensorType.Int64 or TensorType.Int8 or TensorType.Int16 || oracleReadsThroughCast))
        {
            // The CAST's output takes this output's place in the output list; the CAST follows the operators.
            // Bool reads as 0/1, int8 as its value (CAST ignores quantization), int64 narrowed (cases keep it in range).
            var readAs = type is TensorType.Bool or TensorType.Int64 or TensorType.Int8 or TensorType.Int16 ? TensorType.Int32 : type;
            int read = Model.AddTensor(name + "_as_" + readAs.ToDisplayName(), readAs, shape);
            Model.AddOutput(read);
            _castOutputs.Add((tensor, read));
            AdaptedTensors++;
            _adaptations.Add(type switch
            {
                TensorType.Bool => "bool outputs read through CAST to int32",
                TensorType.Int64 => "int64 outputs read through CAST to int32",
                TensorType.Int8 => "int8 outputs read through CAST to int32",
                TensorType.Int16 => "int16 outputs read through CAST to int32",
                _ => "outputs TFLite sizes at Invoke or writes at Prepare read through CAST to their dtype (LiteRT.js returns the buffers it bound before Invoke)",
            });
        }
        else
            Model.AddOutput(tensor);
        return tensor;
    }

    private int Track(int tensor, OpTensorSpec spec)
    {
        _specs[tensor] = spec;
        return tensor;
    }

    public static int Count(int[] shape) => checked(shape.Aggregate(1, (a, d) => a * d));

    /// <summary>
    /// Generated bytes: float32 from the value set; float16 the same values rounded to half (ties to even); int32 and
    /// int64 uniform in [-1000, 1000] (<c>wide</c>: the whole type; <c>special</c>: with the type's extremes, see
    /// <see cref="ValueSets.Int32"/>, <see cref="ValueSets.Int64"/>); bool 0/1 (<c>special</c>: also nonzero bytes other
    /// than 1); int8/uint8/int16 uniform over the whole type (int8 and int16 <c>sweep</c>: every value in order, see
    /// <see cref="ValueSets.Int8Sweep"/>, <see cref="ValueSets.Int16Sweep"/>).
    /// </summary>
    public byte[] Data(string tensorName, TensorType type, int[] shape, string valueSet)
    {
        int count = Count(shape);
        ulong seed = ValueSets.SeedFor(_case.Id, tensorName);
        switch (type)
        {
            case TensorType.Float32:
                return MemoryMarshal.AsBytes(ValueSets.Float32(valueSet, count, seed).AsSpan()).ToArray();
            case TensorType.Float16:
                var halves = ValueSets.Float32(valueSet, count, seed).Select(f => BitConverter.HalfToUInt16Bits((Half)f)).ToArray();
                return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
            case TensorType.Int32:
                return MemoryMarshal.AsBytes(ValueSets.Int32(valueSet, count, seed).AsSpan()).ToArray();
            case TensorType.Int64:
                return MemoryMarshal.AsBytes(ValueSets.Int64(valueSet, count, seed).AsSpan()).ToArray();
            case TensorType.Bool:
                return ValueSets.Bool(valueSet, count, seed);
            case TensorType.Int8 when valueSet == "sweep":
                return ValueSets.Int8Sweep(count);
            case TensorType.Int8:
                return ValueSets.Integers(sbyte.MinValue, sbyte.MaxValue, count, seed).Select(v => (byte)(sbyte)v).ToArray();
            case TensorType.UInt8:
                return ValueSets.Integers(0, 255, count, seed).Select(v => (byte)v).ToArray();
            case TensorType.Int16 when valueSet == "sweep":
                return MemoryMarshal.AsBytes(ValueSets.Int16Sweep(count).AsSpan()).ToArray();
            case TensorType.Int16:
                var shorts = ValueSets.Integers(short.MinValue, short.MaxValue, count, seed).Select(v => (short)v).ToArray();
                return MemoryMarshal.AsBytes(shorts.AsSpan()).ToArray();
            default:
                throw new ArgumentException($"cannot generate {type.ToDisplayName()} data");
        }
    }

    public static string FormatShape(int[] shape) => "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
