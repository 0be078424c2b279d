using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>An operator the int8 quantizer left in float32, and why.</summary>
public sealed record FloatOperator(int Node, string Operator, string Reason);

/// <summary>
/// Rewrites a float graph to full integer (docs/optimize.md §Int8, §Int16x8): operators with an integer kernel get
/// integer inputs (int8, or int16 in 16x8 mode), int8 weights and integer outputs; the others stay float behind
/// DEQUANTIZE / QUANTIZE, inserted only where a value crosses between the two. Every float32 tensor keeps its index as
/// its float version; its integer version is a new tensor.
/// </summary>
internal sealed class FullIntegerQuantizer
{
    private readonly int QMin, QMax;
    private readonly bool _int16;       // 16x8: int16 activations (symmetric), int8 weights, int64 biases
    private readonly TensorType _activationType;
    private readonly string _suffix;

    private readonly EditableGraph _g;
    private readonly IReadOnlyDictionary<int, TensorRange> _ranges;
    private readonly QuantizationOptions _options;
    private readonly List<GraphOperator> _ops = new();
    private readonly Dictionary<int, int> _quantOf = new();   // float tensor → its int8 version
    private readonly Dictionary<int, int> _floatOf = new();   // float tensor → tensor holding its float value
    private readonly HashSet<int> _floatReady = new();        // float versions computed so far
    private readonly Dictionary<int, AffineParams> _params = new(); // int8 tensor → its parameters
    private readonly bool[] _static;
    private readonly IReadOnlyDictionary<int, string>? _keepFloat; // node → why the caller keeps it float

    public List<FloatOperator> FloatOperators { get; } = new();
    public int QuantizedOperators { get; private set; }

    /// <summary>int8 tensor index → the original float tensor it stands for (for per-layer error).</summary>
    public Dictionary<int, int> Originals { get; } = new();

    /// <param name="keepFloat">Nodes the caller keeps float whatever their kernels (selective quantization), with the
    /// reason the report gives.</param>
    public FullIntegerQuantizer(EditableGraph graph, IReadOnlyDictionary<int, TensorRange> ranges, QuantizationOptions options,
        IReadOnlyDictionary<int, string>? keepFloat = null)
    {
        _g = graph;
        _keepFloat = keepFloat;
        _ranges = ranges;
        _options = options;
        _static = graph.StaticTensors();
        _int16 = options.Mode == QuantizationMode.Int16x8;
        (QMin, QMax) = _int16 ? (short.MinValue, short.MaxValue) : (sbyte.MinValue, sbyte.MaxValue);
        _activationType = _int16 ? TensorType.Int16 : TensorType.Int8;
        _suffix = _int16 ? "_int16" : "_int8";
    }

    /// <summary>Throws when the graph already holds integer tensors or quantization operators.</summary>
    public static void CheckFloatModel(EditableGraph g)
    {
        foreach (var t in g.Tensors)
            if (t.Type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16 or TensorType.Int4 || t.Quantization is not null)
                throw new OptimizationException($"The model is already quantized: tensor '{t.Name}' is {t.Type.ToDisplayName()}{(t.Quantization is not null ? " with quantization parameters" : "")}. Quantize the float model instead.");
        for (int n = 0; n < g.Operators.Count; n++)
            if (g.Operators[n].Code.Builtin is BuiltinOperator.Quantize or BuiltinOperator.Dequantize)
                throw new OptimizationException($"The model is already quantized: node {n} is {g.Operators[n].Code.Name}. Quantize the float model instead.");
    }

    public void Run()
    {
        foreach (int t in Enumerable.Range(0, _g.Tensors.Count))
            if (_g.Tensors[t].IsConstant || !_g.Inputs.Contains(t)) _floatOf[t] = t;

        foreach (int input in _g.Inputs.ToArray()) PrepareInput(input);

        var original = _g.Operators.ToArray();
        for (int n = 0; n < original.Length; n++)
        {
            var op = original[n];
            string? reason = WhyNotQuantized(op) ?? (_keepFloat is not null && _keepFloat.TryGetValue(n, out var kept) ? kept : null);
            if (reason is null)
            {
                EmitQuantized(op);
                QuantizedOperators++;
                continue;
            }
            FloatOperators.Add(new FloatOperator(n, op.Code.Name, reason));
            var inputs = op.Inputs.Select(i => i >= 0 && _floatOf.ContainsKey(i) && IsFloatValue(i) ? Float(i) : i).ToArray();
            _ops.Add(new GraphOperator { Code = op.Code, Inputs = inputs, Outputs = op.Outputs, Options = op.Options, CustomOptions = op.CustomOptions });
            foreach (int o in op.Outputs) _floatReady.Add(o);
        }

        foreach (int output in _g.Outputs.ToArray()) FinishOutput(output);

        _g.Operators.Clear();
        _g.Operators.AddRange(_ops);
    }

    /// <summary>The nodes that would get integer kernels (before <see cref="Run"/>, which rewrites the graph).</summary>
    public List<int> QuantizableNodes() =>
        Enumerable.Range(0, _g.Operators.Count).Where(n => WhyNotQuantized(_g.Operators[n]) is null).ToList();

    // ------------------------------------------------------------------------------------------------ interface

    /// <summary>Whether the source graph had this tensor as float32 (integer interface tensors are retyped).</summary>
    private bool IsFloatValue(int tensor) => _g.Tensors[tensor].Type == TensorType.Float32 || _quantOf.ContainsKey(tensor) && _g.Inputs.Contains(tensor);

    private void PrepareInput(int input)
    {
        var t = _g.Tensors[input];
        if (_options.Interface == IntegerInterface.Float32)
        {
            _floatOf[input] = input;
            _floatReady.Add(input);
            return;
        }
        var p = ParamsFromRange(input);
        // The float version of an integer input is a new tensor, computed by DEQUANTIZE if a float op needs it.
        _floatOf[input] = _g.AddTensor(new GraphTensor { Name = t.Name + "_float", Type = TensorType.Float32, Shape = t.Shape, ShapeSignature = t.ShapeSignature });
        if (_options.Interface is IntegerInterface.Int8 or IntegerInterface.Int16)
        {
            // The interface is the activation type (Options.Validate pairs int8 with int8 mode, int16 with 16x8).
            Retype(input, _activationType, p);
            _quantOf[input] = input;
            _params[input] = p;
            Originals[input] = input;
        }
        else
        {
            Retype(input, TensorType.UInt8, p with { ZeroPoint = p.ZeroPoint + 128 });
            int q = NewInt8(input, p);
            _ops.Add(Op(BuiltinOperator.Quantize, 2, [input], [q]));
        }
    }

    private void FinishOutput(int output)
    {
        if (_options.Interface == IntegerInterface.Float32)
        {
            int f = Float(output);
            if (f != output) throw new InvalidOperationException($"output {output} has its float value in {f}");
            return;
        }
        int q = Quant(output);
        var p = _params[q];
        bool referenced = _ops.Any(op => op.Inputs.Contains(output) || op.Outputs.Contains(output));
        if (referenced)
        {
            // A float op wrote (or read) the original tensor: move that float value to a new tensor.
            var t = _g.Tensors[output];
            int floatCopy = _g.AddTensor(new GraphTensor { Name = t.Name + "_float", Type = TensorType.Float32, Shape = t.Shape, ShapeSignature = t.ShapeSignature });
            Replace(output, floatCopy);
        }
        if (_options.Interface is IntegerInterface.Int8 or IntegerInterface.Int16)
        {
            Replace(q, output);
            Retype(output, _activationType, p);
        }
        else
        {
            Retype(output, TensorType.UInt8, p with { ZeroPoint = p.ZeroPoint + 128 });
            _ops.Add(Op(BuiltinOperator.Quantize, 2, [q], [output]));
        }
    }

    private void Retype(int tensor, TensorType type, AffineParams p)
    {
        var t = _g.Tensors[tensor];
        t.Type = type;
        t.Quantization = PerTensor(p);
    }

    private void Replace(int from, int to)
    {
        foreach (var op in _ops)
        {
            for (int k = 0; k < op.Inputs.Length; k++) if (op.Inputs[k] == from) op.Inputs[k] = to;
            for (int k = 0; k < op.Outputs.Length; k++) if (op.Outputs[k] == from) op.Outputs[k] = to;
        }
    }

    // ------------------------------------------------------------------------------------------------ conversions

    /// <summary>The tensor holding <paramref name="tensor"/>'s float value, emitting a DEQUANTIZE on first use.</summary>
    private int Float(int tensor)
    {
        int f = _floatOf[tensor];
        if (_floatReady.Add(f) && !_g.Tensors[tensor].IsConstant)
            _ops.Add(Op(BuiltinOperator.Dequantize, _int16 ? 3 : 2, [_quantOf[tensor]], [f]));
        return f;
    }

    /// <summary>The int8 version of an activation, emitting a QUANTIZE on first use.</summary>
    private int Quant(int tensor)
    {
        if (_quantOf.TryGetValue(tensor, out int q)) return q;
        q = NewInt8(tensor, ParamsFromRange(tensor));
        _ops.Add(Op(BuiltinOperator.Quantize, 2, [Float(tensor)], [q])); // version 2 covers int8 and int16 outputs
        return q;
    }

    private int NewInt8(int original, AffineParams p)
    {
        var t = _g.Tensors[original];
        int q = _g.AddTensor(new GraphTensor { Name = t.Name + _suffix, Type = _activationType, Shape = t.Shape, ShapeSignature = t.ShapeSignature, Quantization = PerTensor(p) });
        _quantOf[original] = q;
        _params[q] = p;
        Originals[q] = original;
        return q;
    }

    private AffineParams ParamsFromRange(int tensor)
    {
        // Calibration watches activations; a tensor computed from constants alone gets no range from the samples.
        if (!_ranges.TryGetValue(tensor, out var r))
            throw new OptimizationException($"Tensor '{_g.Tensors[tensor].Name}' needs an {(_int16 ? "int16" : "int8")} range but has none from calibration: it is computed from constants only, not from the model's inputs. Fold it into a constant (or make it depend on an input) before quantizing.");
        return Choose(r.Min, r.Max);
    }

    /// <summary>Int8: TFLite's asymmetric ChooseQuantizationParams; 16x8: symmetric, max|x| / 32767, zero point 0.</summary>
    private AffineParams Choose(double min, double max) =>
        _int16 ? QuantizationMath.ChooseSymmetricInt16(min, max) : QuantizationMath.ChooseAsymmetric(min, max, QMin, QMax);

    private static QuantizationParameters PerTensor(AffineParams p) => new([p.Scale], [p.ZeroPoint], 0, [], []);

    /// <summary>A float32 constant used as an activation operand (ADD's constant term): int8 with its own range.</summary>
    private int QuantConstant(int tensor, AffineParams? fixedParams = null)
    {
        var t = _g.Tensors[tensor];
        var values = t.FloatValues();
        var p = fixedParams ?? Choose(values.Length == 0 ? 0 : values.Min(), values.Length == 0 ? 0 : values.Max());
        byte[] data = _int16
            ? MemoryMarshal.AsBytes(values.Select(v => (short)QuantizationMath.QuantizeValue(v, p, QMin, QMax)).ToArray().AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(values.Select(v => (sbyte)QuantizationMath.QuantizeValue(v, p, QMin, QMax)).ToArray().AsSpan()).ToArray();
        int index = _g.AddTensor(new GraphTensor { Name = t.Name + _suffix, Type = _activationType, Shape = t.Shape, Data = data, Quantization = PerTensor(p) });
        _params[index] = p;
        return index;
    }

    /// <summary>An activation operand's int8 version, or a constant's int8 copy.</summary>
    private int Operand(int tensor) => _g.Tensors[tensor].IsConstant ? QuantConstant(tensor) : Quant(tensor);

    // ------------------------------------------------------------------------------------------------ operators

    private static readonly HashSet<BuiltinOperator> PassThrough =
    [
        BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D, BuiltinOperator.Reshape, BuiltinOperator.Pad,
        BuiltinOperator.ResizeBilinear,
    ];

    private static readonly HashSet<BuiltinOperator> Supported =
    [
        BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected,
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D, BuiltinOperator.Reshape, BuiltinOperator.Pad,
        BuiltinOperator.ResizeBilinear, BuiltinOperator.Logistic, BuiltinOperator.HardSwish, BuiltinOperator.Concatenation,
        BuiltinOperator.Mean, BuiltinOperator.Prelu, BuiltinOperator.Softmax, BuiltinOperator.Tanh, BuiltinOperator.Sum,
        BuiltinOperator.L2Normalization, BuiltinOperator.LogSoftmax,
        BuiltinOperator.SquaredDifference, BuiltinOperator.Rsqrt, BuiltinOperator.Abs, BuiltinOperator.Exp, BuiltinOperator.Div,
        BuiltinOperator.BatchMatMul, BuiltinOperator.TransposeConv, BuiltinOperator.Log, BuiltinOperator.Sqrt,
    ];

    /// <summary>
    /// The operators Accel's reference runs in 16x8 (docs/numerics.md §int16x8). HARD_SWISH is not among them because
    /// TFLite has no int16 HARD_SWISH (HardSwishEval takes float32, uint8, int8; its quantizer marks it not quantizable
    /// to int16), so it stays float as TFLite's 16x8 converter leaves it. Add an operator here when its int16 kernel lands.
    /// </summary>
    private static readonly HashSet<BuiltinOperator> SupportedInt16 =
    [
        BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected,
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D, BuiltinOperator.Reshape, BuiltinOperator.Pad,
        BuiltinOperator.ResizeBilinear, BuiltinOperator.Concatenation,
        BuiltinOperator.Logistic, BuiltinOperator.Tanh, BuiltinOperator.Softmax, BuiltinOperator.Mean,
        BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.LeakyRelu, BuiltinOperator.Maximum, BuiltinOperator.Minimum,
        BuiltinOperator.BatchMatMul, BuiltinOperator.TransposeConv, BuiltinOperator.Div,
        BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt, BuiltinOperator.Exp, BuiltinOperator.Abs,
    ];

    /// <summary>Operators whose quantized output parameters TFLite fixes (no calibrated output range needed).</summary>
    /// <summary>
    /// Whether an integer operator of this type writes its output with parameters from the output's own calibrated range
    /// (not its input's, as the pass-through operators, nor a fixed scale, as LOGISTIC).
    /// </summary>
    public static bool OutputUsesItsRange(BuiltinOperator b, bool int16) => !PassThrough.Contains(b) && !HasFixedOutput(b, int16);

    private static bool HasFixedOutput(BuiltinOperator b, bool int16) =>
        b is BuiltinOperator.Logistic or BuiltinOperator.Softmax or BuiltinOperator.Tanh || !int16 && b is BuiltinOperator.L2Normalization or BuiltinOperator.LogSoftmax;

    /// <summary>Null when the operator gets integer kernels; otherwise why it stays float.</summary>
    private string? WhyNotQuantized(GraphOperator op)
    {
        var b = op.Code.Builtin;
        if (_int16 && b == BuiltinOperator.HardSwish) return "TFLite has no int16 HARD_SWISH kernel (its 16x8 converter keeps it float)";
        if (!(_int16 ? SupportedInt16 : Supported).Contains(b)) return $"no {(_int16 ? "int16x8" : "integer")} kernel for {op.Code.Name} in Accel";
        if (op.Outputs.Length != 1) return "more than one output";
        int y = op.Outputs[0];
        if (_g.Tensors[y].Type != TensorType.Float32) return $"output is {_g.Tensors[y].Type.ToDisplayName()}";
        if (_static[y]) return "constant inputs only (folded at load)";
        var activation = op.Options switch
        {
            Conv2DOptions o => o.FusedActivation,
            DepthwiseConv2DOptions o => o.FusedActivation,
            FullyConnectedOptions o => o.FusedActivation,
            AddOptions o => o.FusedActivation,
            SubOptions o => o.FusedActivation,
            MulOptions o => o.FusedActivation,
            Pool2DOptions o => o.FusedActivation,
            ConcatenationOptions o => o.FusedActivation,
            TransposeConvOptions o => o.FusedActivation,
            DivOptions o => o.FusedActivation,
            _ => ActivationFunctionType.None,
        };
        if (activation is ActivationFunctionType.Tanh or ActivationFunctionType.SignBit)
            return $"fused {activation} has no integer form";
        if (b is BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected or BuiltinOperator.TransposeConv)
        {
            // TRANSPOSE_CONV: inputs output_shape, weights, data, bias.
            int dataIndex = b == BuiltinOperator.TransposeConv ? 2 : 0, biasIndex = dataIndex + (b == BuiltinOperator.TransposeConv ? 1 : 2);
            if (b == BuiltinOperator.TransposeConv && (op.Inputs.Length < 3 || !_g.Tensors[op.Inputs[0]].IsConstant)) return "output_shape is not a constant";
            if (op.Inputs.Length < 2 || !IsDenseFloatConstant(op.Inputs[1])) return "weights are not a float32 constant";
            if (op.Inputs.Length > biasIndex && op.Inputs[biasIndex] >= 0 && !IsDenseFloatConstant(op.Inputs[biasIndex])) return "bias is not a float32 constant";
            if (op.Options is FullyConnectedOptions { WeightsFormat: not 0 }) return "shuffled weights";
            if (!HasRange(op.Inputs[dataIndex])) return "input has no calibrated range";
            if (!_ranges.ContainsKey(y)) return "output has no calibrated range";
            return null;
        }
        // Every float operand must be an activation with a range or a dense constant.
        foreach (int i in ActivationOperands(op))
            if (!HasRange(i) && !IsDenseFloatConstant(i)) return $"input '{_g.Tensors[i].Name}' has no calibrated range";
        if (!ActivationOperands(op).Any(i => !_g.Tensors[i].IsConstant)) return "no activation input";
        if (!PassThrough.Contains(b) && !HasFixedOutput(b, _int16) && !_ranges.ContainsKey(y)) return "output has no calibrated range";
        if (PassThrough.Contains(b) && _g.Tensors[ActivationOperands(op).First()].IsConstant) return "constant input";
        return null;
    }

    private IEnumerable<int> ActivationOperands(GraphOperator op)
    {
        var b = op.Code.Builtin;
        // Only the data operands: the shape / paddings / size operands stay int32.
        int count = b switch
        {
            BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul or BuiltinOperator.Prelu
                or BuiltinOperator.Maximum or BuiltinOperator.Minimum or BuiltinOperator.BatchMatMul => 2,
            BuiltinOperator.Concatenation => op.Inputs.Length,
            _ => 1,
        };
        return op.Inputs.Take(count).Where(i => i >= 0);
    }

    private bool HasRange(int tensor) => _ranges.ContainsKey(tensor); // ranges exist only for float32 activations

    private bool IsDenseFloatConstant(int tensor) =>
        tensor >= 0 && _g.Tensors[tensor] is { IsConstant: true, Type: TensorType.Float32, Sparsity: null };

    private void EmitQuantized(GraphOperator op)
    {
        var b = op.Code.Builtin;
        int y = op.Outputs[0];
        int[] inputs = (int[])op.Inputs.Clone();
        int version = op.Code.Version;
        var options = op.Options;
        AffineParams outParams;
        switch (b)
        {
            case BuiltinOperator.Conv2D:
            case BuiltinOperator.DepthwiseConv2D:
            case BuiltinOperator.FullyConnected:
            case BuiltinOperator.TransposeConv:
            {
                bool transpose = b == BuiltinOperator.TransposeConv;
                int biasInput = transpose ? 3 : 2;
                int x = Quant(op.Inputs[transpose ? 2 : 0]);
                float inScale = _params[x].Scale;
                var w = _g.Tensors[op.Inputs[1]];
                int axis = b switch
                {
                    BuiltinOperator.DepthwiseConv2D => 3,
                    BuiltinOperator.Conv2D or BuiltinOperator.TransposeConv => 0,   // OHWI: per output channel
                    // FULLY_CONNECTED: per tensor unless asked per unit (TFLite's current converter writes it per unit).
                    _ => _options.PerChannelFullyConnected ? 0 : -1,
                };
                if (_options.PerTensorWeights) axis = -1;
                var (qw, scales) = QuantizationMath.QuantizeSymmetric(w.FloatValues(), w.Shape, axis);
                int wIndex = _g.AddTensor(new GraphTensor
                {
                    Name = w.Name + "_int8", Type = TensorType.Int8, Shape = w.Shape, Data = MemoryMarshal.AsBytes(qw.AsSpan()).ToArray(),
                    Quantization = new QuantizationParameters(scales, new long[scales.Length], Math.Max(axis, 0), [], []),
                });
                int channels = b == BuiltinOperator.DepthwiseConv2D ? w.Shape[3] : w.Shape[0];
                bool hasBias = op.Inputs.Length > biasInput && op.Inputs[biasInput] >= 0;
                var bias = hasBias ? _g.Tensors[op.Inputs[biasInput]].FloatValues() : new float[channels];
                if (bias.Length != channels)
                    throw new OptimizationException($"Bias '{_g.Tensors[op.Inputs[biasInput]].Name}' has {bias.Length} values for {channels} output channels.");
                // 16x8: int64 bias (TFLite's DEPTHWISE_CONV_2D refuses int32 there; the converter writes int64 for all three).
                var (qb, biasScales) = QuantizationMath.QuantizeBias(bias, inScale, scales, _int16 ? long.MinValue : int.MinValue, _int16 ? long.MaxValue : int.MaxValue);
                // Per-tensor weights: one bias scale, as the converter writes it. TFLite reads a tensor's scale only when
                // there is exactly one, so a per-channel list of equal scales reads as 0 in its bias-scale check
                // (|s_in·s_w − s_b| / s_out ≤ 0.02), which then fails for small output scales (16x8 hand_landmark_lite).
                if (scales.Length == 1) biasScales = [biasScales[0]];
                byte[] biasData = _int16 ? MemoryMarshal.AsBytes(qb.AsSpan()).ToArray()
                    : MemoryMarshal.AsBytes(qb.Select(v => (int)v).ToArray().AsSpan()).ToArray();
                int bIndex = _g.AddTensor(new GraphTensor
                {
                    Name = (hasBias ? _g.Tensors[op.Inputs[biasInput]].Name : w.Name + "_bias") + (_int16 ? "_int64" : "_int32"),
                    Type = _int16 ? TensorType.Int64 : TensorType.Int32, Shape = [channels], Data = biasData,
                    Quantization = new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], []),
                });
                inputs = transpose ? [op.Inputs[0], wIndex, x, bIndex] : [x, wIndex, bIndex];
                outParams = ParamsFromRange(y);
                version = Math.Max(version, (b, _int16) switch
                {
                    (BuiltinOperator.TransposeConv, _) => 3,   // with a bias (4 with a fused activation: kept from the float op)
                    (BuiltinOperator.FullyConnected, false) => 4,
                    (BuiltinOperator.FullyConnected, true) => 7,
                    (BuiltinOperator.DepthwiseConv2D, true) => 5,
                    (_, true) => 4,
                    _ => 3,
                });
                break;
            }
            case BuiltinOperator.Add:
            case BuiltinOperator.Sub:
            case BuiltinOperator.Mul:
                inputs[0] = Operand(op.Inputs[0]);
                inputs[1] = Operand(op.Inputs[1]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, (b, _int16) switch
                {
                    (_, false) => 2,
                    (BuiltinOperator.Add, true) => 3,
                    (BuiltinOperator.Sub, true) => 5,
                    _ => 4, // MUL
                });
                // 16x8 ADD/SUB: general scales, as TFLite's converter writes them (the schema's default is the legacy
                // power-of-two path, which Accel refuses).
                if (_int16) options = op.Options switch
                {
                    AddOptions o => o with { PotScaleInt16 = false },
                    SubOptions o => o with { PotScaleInt16 = false },
                    null when b == BuiltinOperator.Add => new AddOptions(ActivationFunctionType.None, PotScaleInt16: false),
                    null when b == BuiltinOperator.Sub => new SubOptions(ActivationFunctionType.None, PotScaleInt16: false),
                    var other => other,
                };
                break;
            case BuiltinOperator.Logistic:
            case BuiltinOperator.Tanh:
            case BuiltinOperator.Softmax:
            case BuiltinOperator.L2Normalization:
            case BuiltinOperator.LogSoftmax:
                // The output parameters TFLite requires (and its converter writes): int8 LOGISTIC and SOFTMAX 1/256 with
                // zero point −128, int8 TANH and L2_NORMALIZATION 1/128 with zero point 0, int8 LOG_SOFTMAX 16/256 with
                // zero point 127 (version 2, op_version's int8
                // version); int16 LOGISTIC, TANH and SOFTMAX 1/32768 with zero point 0 (version 3, their 16x8 version).
                // The input keeps its calibrated range.
                inputs[0] = Quant(op.Inputs[0]);
                outParams = _int16 ? new AffineParams(1f / 32768, 0)
                    : b is BuiltinOperator.Tanh or BuiltinOperator.L2Normalization ? new AffineParams(1f / 128, 0)
                    : b == BuiltinOperator.LogSoftmax ? new AffineParams(16f / 256, 127)
                    : new AffineParams(1f / 256, -128);
                version = Math.Max(version, _int16 ? 3 : 2);
                break;
            case BuiltinOperator.HardSwish:
                inputs[0] = Quant(op.Inputs[0]);
                outParams = ParamsFromRange(y);
                break;
            case BuiltinOperator.Abs:
            case BuiltinOperator.Exp:
            case BuiltinOperator.Log:
            case BuiltinOperator.Sqrt:
            case BuiltinOperator.Rsqrt:
                // Their own calibrated output range; version 2 (op_version's int8 version; EXP, LOG and SQRT int16 too),
                // int16 RSQRT and quantized int16 ABS 3. SQRT's and RSQRT's input range starts at or above 0 for a model that runs, so every stored
                // input is at least the zero point. LOG maps an input at or below 0 to the output's lowest value.
                inputs[0] = Quant(op.Inputs[0]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, _int16 && b is BuiltinOperator.Rsqrt or BuiltinOperator.Abs ? 3 : 2);
                break;
            case BuiltinOperator.SquaredDifference:
            case BuiltinOperator.Div:
                // Each operand its own quantization (TFLite's integer kernels rescale both), the output its range.
                inputs[0] = Operand(op.Inputs[0]);
                inputs[1] = Operand(op.Inputs[1]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, 2);
                break;
            case BuiltinOperator.Prelu:
                // Alpha as TFLite's converter quantizes a constant operand that is not a weight: int8 per tensor,
                // asymmetric over its own range (a runtime alpha: its calibrated range). Version 1, PRELU's only one.
                inputs[0] = Quant(op.Inputs[0]);
                inputs[1] = Operand(op.Inputs[1]);
                outParams = ParamsFromRange(y);
                break;
            case BuiltinOperator.Relu:
            case BuiltinOperator.Relu6:
            case BuiltinOperator.LeakyRelu:
                // 16x8 only: their own calibrated output range (the kernels rescale s_in/s_out), versions 3 / 3 / 2.
                inputs[0] = Quant(op.Inputs[0]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, b == BuiltinOperator.LeakyRelu ? 2 : 3);
                break;
            case BuiltinOperator.Maximum:
            case BuiltinOperator.Minimum:
                // Stored integers are compared, so both operands take the output's parameters (requantized when their
                // own differ), as TFLite's converter ties them. Version 4 (int16).
                outParams = ParamsFromRange(y);
                inputs[0] = QuantAs(op.Inputs[0], outParams);
                inputs[1] = QuantAs(op.Inputs[1], outParams);
                version = Math.Max(version, 4);
                break;
            case BuiltinOperator.BatchMatMul:
                // Both operands quantized as activations, each with its own range — a constant operand over its own
                // values — as TFLite's converter does (operator_property: quantize_input_as_activations): int8 per tensor
                // asymmetric, version 2; int16 × int16 (TFLite has no 16x8 BATCH_MATMUL) symmetric, version 3.
                inputs[0] = Operand(op.Inputs[0]);
                inputs[1] = Operand(op.Inputs[1]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, _int16 ? 3 : 2);
                break;
            case BuiltinOperator.Mean:
            case BuiltinOperator.Sum:
                // Its own calibrated output range: the integer MEAN and SUM rescale s_in/s_out (QuantizedMeanOrSum); axes stay int32.
                inputs[0] = Quant(op.Inputs[0]);
                outParams = ParamsFromRange(y);
                version = Math.Max(version, _int16 ? 3 : 2);
                break;
            case BuiltinOperator.Concatenation:
            {
                outParams = ParamsFromRange(y);
                // TFLite's int8 CONCATENATION needs every input quantized as the output: requantize.
                for (int k = 0; k < op.Inputs.Length; k++) inputs[k] = QuantAs(op.Inputs[k], outParams);
                version = Math.Max(version, _int16 ? 3 : 2);
                break;
            }
            default: // pass-through: the output keeps the input's quantization
                inputs[0] = Quant(op.Inputs[0]);
                outParams = _params[inputs[0]];
                version = Math.Max(version, (b, _int16) switch
                {
                    (BuiltinOperator.Reshape, _) => 1,
                    (_, false) => 2,
                    (BuiltinOperator.ResizeBilinear, true) => 4,
                    _ => 3, // MAX_POOL_2D, AVERAGE_POOL_2D, PAD on int16
                });
                break;
        }
        int yq = NewInt8(y, outParams);
        _ops.Add(new GraphOperator { Code = op.Code with { Version = version }, Inputs = inputs, Outputs = [yq], Options = options, CustomOptions = op.CustomOptions });
    }

    /// <summary>
    /// An operand quantized with exactly <paramref name="p"/>: a constant's copy, or the activation's integer version
    /// requantized by a QUANTIZE when its own parameters differ.
    /// </summary>
    private int QuantAs(int tensor, AffineParams p)
    {
        if (_g.Tensors[tensor].IsConstant) return QuantConstant(tensor, p);
        int q = Quant(tensor);
        if (_params[q] == p) return q;
        var t = _g.Tensors[tensor];
        int r = _g.AddTensor(new GraphTensor { Name = t.Name + "_requant", Type = _activationType, Shape = t.Shape, ShapeSignature = t.ShapeSignature, Quantization = PerTensor(p) });
        _params[r] = p;
        _ops.Add(Op(BuiltinOperator.Quantize, 2, [q], [r]));
        return r;
    }

    private static GraphOperator Op(BuiltinOperator b, int version, int[] inputs, int[] outputs) =>
        new() { Code = new OperatorCode(b, null, version), Inputs = inputs, Outputs = outputs };
}
