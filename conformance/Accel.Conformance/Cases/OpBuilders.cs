using System.Buffers.Binary;
using System.Reflection;
using Accel.Building;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>How one operator's case parameters become a one-operator model.</summary>
internal sealed record OpBuilder(string Op, OperatorCode Code, string[] Parameters, Action<OpCaseContext> Build)
{
    /// <summary>
    /// A builder for the op's quantized cases only, added beside the builder of the same op: the two are merged into one
    /// that takes this one for cases whose parameters include <c>"quantized": true</c> (existing cases keep their models).
    /// </summary>
    public bool ForQuantizedTypes { get; init; }
}

/// <summary>
/// The builders, one entry per operator (or family). Each reads its parameters (ops.json), adds inputs, constants,
/// the operator and its output. The output's shape comes from the operator's <see cref="OpDefinition"/> through
/// <see cref="OpShapeInference"/> (the Prepare the runtime runs), never from a formula here, so every builder's
/// operator has a definition. Parameter names are checked against <see cref="OpBuilder.Parameters"/> when ops.json
/// is loaded.
/// </summary>
internal static partial class OpBuilders
{
    private static readonly string[] ConvParams = ["input", "kernel", "filters", "stride", "dilation", "padding", "activation", "bias", "values", "weights", "groups"];
    private static readonly string[] DepthwiseParams = ["input", "kernel", "multiplier", "stride", "dilation", "padding", "activation", "bias", "values", "weights"];
    private static readonly string[] PoolParams = ["input", "filter", "stride", "padding", "activation", "values"];
    private static readonly string[] UnaryParams = ["shape", "values"];
    private static readonly string[] BinaryParams = ["a", "b", "activation", "bConstant", "values"];
    private static readonly string[] ElementwiseBinaryParams = ["a", "b", "bConstant", "values"];

    private static readonly Dictionary<string, OpBuilder> Table = CreateTable();

    public static IReadOnlyCollection<OpBuilder> All => Table.Values;

    public static OpBuilder? Find(string op) => Table.GetValueOrDefault(op);

    private static Dictionary<string, OpBuilder> CreateTable()
    {
        var list = new List<OpBuilder>
        {
            Builtin(BuiltinOperator.Conv2D, ConvParams, BuildConv2D),
            Builtin(BuiltinOperator.DepthwiseConv2D, DepthwiseParams, BuildDepthwiseConv2D),
            Builtin(BuiltinOperator.FullyConnected, ["input", "units", "bias", "activation", "keepNumDims", "values", "weights"], BuildFullyConnected),
            new(CustomOps.Convolution2DTransposeBias, new OperatorCode(BuiltinOperator.Custom, CustomOps.Convolution2DTransposeBias, 1),
                ["input", "kernel", "filters", "stride", "padding", "values", "weights"], BuildTransposeConvBias),
            Builtin(BuiltinOperator.Dequantize, ["shape", "source", "scale", "zeroPoint", "perChannelAxis", "values"], BuildDequantize),
            Builtin(BuiltinOperator.Densify, ["shape", "values"], BuildDensify),
            Builtin(BuiltinOperator.MaxPool2D, PoolParams, c => BuildPool(c, BuiltinOperator.MaxPool2D)),
            Builtin(BuiltinOperator.AveragePool2D, PoolParams, c => BuildPool(c, BuiltinOperator.AveragePool2D)),
            Builtin(BuiltinOperator.Pad, ["input", "paddings", "via", "values"], BuildPad),
            Builtin(BuiltinOperator.ResizeBilinear, ["input", "size", "alignCorners", "halfPixelCenters", "values", "via"], BuildResizeBilinear),
            Builtin(BuiltinOperator.Reshape, ["input", "newShape", "via", "values"], BuildReshape),
            Builtin(BuiltinOperator.Concatenation, ["inputs", "axis", "activation", "values"], BuildConcatenation),
            Builtin(BuiltinOperator.Mean, ["input", "axes", "keepDims", "via", "values"], BuildMean),
            Builtin(BuiltinOperator.DepthToSpace, ["input", "block", "values"], BuildDepthToSpace),
            Builtin(BuiltinOperator.Softmax, ["shape", "beta", "values"], BuildSoftmax),
        };
        // Element-wise operators without options: one input (add an operator here when it gets a definition).
        foreach (var op in new[]
                 {
                     BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.Logistic, BuiltinOperator.HardSwish,
                     BuiltinOperator.Abs, BuiltinOperator.Neg, BuiltinOperator.Floor, BuiltinOperator.Ceil, BuiltinOperator.Round,
                     BuiltinOperator.Sign, BuiltinOperator.Square, BuiltinOperator.LogicalNot,
                 })
            list.Add(Builtin(op, UnaryParams, c => BuildUnary(c, op)));
        // Broadcasting binary operators.
        foreach (var op in new[] { BuiltinOperator.Add, BuiltinOperator.Mul, BuiltinOperator.Sub })
            list.Add(Builtin(op, BinaryParams, c => BuildBinary(c, op)));
        // Broadcasting binary operators without options; the comparisons' output is bool.
        foreach (var op in new[]
                 {
                     BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
                     BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual,
                     BuiltinOperator.Greater, BuiltinOperator.GreaterEqual, BuiltinOperator.LogicalAnd, BuiltinOperator.LogicalOr,
                 })
            list.Add(Builtin(op, ElementwiseBinaryParams, c => BuildElementwiseBinary(c, op)));
        // Operator families kept in files of their own (OpBuilders.<Family>.cs): each a [OpBuilderFamily] method.
        foreach (var family in typeof(OpBuilders).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
                     .Where(m => m.IsDefined(typeof(OpBuilderFamilyAttribute), false))
                     .OrderBy(m => m.Name, StringComparer.Ordinal))
            list.AddRange((IEnumerable<OpBuilder>)family.Invoke(null, null)!);
        var table = new Dictionary<string, OpBuilder>(StringComparer.Ordinal);
        foreach (var builder in list)
        {
            if (!table.TryGetValue(builder.Op, out var other)) table.Add(builder.Op, builder);
            else if (builder.ForQuantizedTypes != other.ForQuantizedTypes)
            {
                var (quantized, plain) = builder.ForQuantizedTypes ? (builder, other) : (other, builder);
                table[builder.Op] = plain with
                {
                    Parameters = plain.Parameters.Union(quantized.Parameters).ToArray(),
                    Build = c => (c.P.Bool("quantized", false) ? quantized : plain).Build(c),
                };
            }
            else throw new InvalidOperationException($"two builders for {builder.Op}");
        }
        return table;
    }

    /// <summary>
    /// Marks a static method of <see cref="OpBuilders"/> (no parameters, returning <c>IEnumerable&lt;OpBuilder&gt;</c>)
    /// that contributes one operator family's builders from a file of its own.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class OpBuilderFamilyAttribute : Attribute;

    private static OpBuilder Builtin(BuiltinOperator op, string[] parameters, Action<OpCaseContext> build) =>
        new(op.ToSchemaName(), new OperatorCode(op, null, 1), parameters, build);

    // ------------------------------------------------------------------------------------------------ helpers

    private static int[] Shape4(OpCaseContext c, string name)
    {
        int[] shape = c.P.Ints(name);
        if (shape.Length != 4) throw new ArgumentException($"parameter '{name}' must be an NHWC shape of rank 4");
        return shape;
    }

    // ------------------------------------------------------------------------------------------------ builders

    private static void BuildConv2D(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 1);
        var (dh, dw) = c.P.Pair("dilation", 1);
        var padding = c.P.Padding();
        string weights = c.P.String("weights", "uniform");
        int x = c.Input("input", c.DType, input);
        int groups = c.P.Int("groups", 1); // grouped convolution: the filter covers input[3] / groups channels (version 6)
        int w = c.Constant("filter", c.DType, [filters, kh, kw, input[3] / groups], weights);
        int b = c.P.Bool("bias", true) ? c.Constant("bias", c.DType, [filters], weights) : -1;
        c.AddOperator(BuiltinOperator.Conv2D, [x, w, b], c.DType, new Conv2DOptions(padding, sw, sh, c.P.Activation(), dw, dh),
            version: groups > 1 ? 6 : 1);
    }

    private static void BuildDepthwiseConv2D(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int multiplier = c.P.Int("multiplier", 1);
        var (sh, sw) = c.P.Pair("stride", 1);
        var (dh, dw) = c.P.Pair("dilation", 1);
        var padding = c.P.Padding();
        string weights = c.P.String("weights", "uniform");
        int channels = input[3] * multiplier;
        int x = c.Input("input", c.DType, input);
        int w = c.Constant("filter", c.DType, [1, kh, kw, channels], weights);
        int b = c.P.Bool("bias", true) ? c.Constant("bias", c.DType, [channels], weights) : -1;
        c.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, w, b], c.DType,
            new DepthwiseConv2DOptions(padding, sw, sh, multiplier, c.P.Activation(), dw, dh));
    }

    private static void BuildFullyConnected(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int units = c.P.Int("units");
        bool keep = c.P.Bool("keepNumDims", false);
        string weights = c.P.String("weights", "uniform");
        int depth = input[^1];
        int x = c.Input("input", c.DType, input);
        int w = c.Constant("weights", c.DType, [units, depth], weights);
        int b = c.P.Bool("bias", true) ? c.Constant("bias", c.DType, [units], weights) : -1;
        c.AddOperator(BuiltinOperator.FullyConnected, [x, w, b], c.DType, new FullyConnectedOptions(c.P.Activation(), KeepNumDims: keep));
    }

    private static void BuildTransposeConvBias(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 2);
        var padding = c.P.Padding();
        string weights = c.P.String("weights", "uniform");
        int x = c.Input("input", c.DType, input);
        int w = c.Constant("weights", c.DType, [filters, kh, kw, input[3]], weights);
        int b = c.Constant("bias", c.DType, [filters], weights);
        var options = new byte[12]; // TfLiteTransposeConvParams {padding (1 SAME, 2 VALID), stride_width, stride_height}
        BinaryPrimitives.WriteInt32LittleEndian(options, padding == Padding.Same ? 1 : 2);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(4), sw);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(8), sh);
        int y = c.InferredOutput("output", c.DType, OpId.OfCustom(CustomOps.Convolution2DTransposeBias), [x, w, b], customOptions: options);
        c.Model.AddCustomOperator(CustomOps.Convolution2DTransposeBias, [x, w, b], [y], options);
    }

    /// <summary>
    /// DEQUANTIZE of <c>dtype</c> (float16, int8, uint8, int16) to float32; <c>source</c> input (default) or constant
    /// (folded at AllocateTensors); affine types per tensor (<c>scale</c>, <c>zeroPoint</c>) or per channel along
    /// <c>perChannelAxis</c> with scale·(1 + channel/4) and zero point (channel mod 3) − 1 (0 for int16).
    /// </summary>
    private static void BuildDequantize(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        QuantizationParameters? quantization = null;
        if (c.DType != TensorType.Float16)
        {
            float scale = (float)c.P.Double("scale", 0.05);
            int axis = c.P.Int("perChannelAxis", -1);
            if (axis < 0)
                quantization = new QuantizationParameters([scale], [c.DType == TensorType.Int16 ? 0 : c.P.Int("zeroPoint", 0)], 0, [], []);
            else
            {
                int channels = shape[axis];
                var scales = Enumerable.Range(0, channels).Select(i => scale * (1 + i / 4f)).ToArray();
                var zeros = Enumerable.Range(0, channels).Select(i => c.DType == TensorType.Int16 ? 0L : i % 3 - 1).ToArray();
                quantization = new QuantizationParameters(scales, zeros, axis, [], []);
            }
        }
        int x = c.P.String("source", "input") == "constant"
            ? c.Constant("quantized", c.DType, shape, c.Values, quantization)
            : c.Input("quantized", c.DType, shape, quantization: quantization);
        c.AddOperator(BuiltinOperator.Dequantize, [x], TensorType.Float32, version: c.DType == TensorType.Float16 ? 3 : 2);
    }

    /// <summary>
    /// DENSIFY of a constant stored CSR on its last dimension (every element whose bits are zero is left implicit);
    /// values from the value set with every element at (i mod 3 ≠ 0) zeroed, so about two thirds are implicit.
    /// The output is a folded constant (no model input).
    /// </summary>
    private static void BuildDensify(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        byte[] dense = c.Data("sparse", c.DType, shape, c.Values);
        int size = c.DType.ElementSize();
        for (int i = 0; i < dense.Length / size; i++)
            if (i % 3 != 0) dense.AsSpan(i * size, size).Clear();
        var (sparsity, stored) = c.DType switch
        {
            TensorType.Int8 => ModelBuilder.EncodeCsrLastDimension(shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(dense)),
            TensorType.Float16 => ModelBuilder.EncodeCsrLastDimension(TensorType.Float16, shape,
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(dense).ToArray().Select(h => (float)h).ToArray()),
            _ => ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(dense)),
        };
        int x = c.SparseConstant("sparse", c.DType, shape, sparsity, stored);
        c.AddOperator(BuiltinOperator.Densify, [x], c.DType, outputName: "dense");
    }

    private static void BuildPool(OpCaseContext c, BuiltinOperator op)
    {
        int[] input = Shape4(c, "input");
        var (fh, fw) = c.P.Pair("filter", 2);
        var (sh, sw) = c.P.Pair("stride", 2);
        var padding = c.P.Padding();
        int x = c.Input("input", c.DType, input);
        c.AddOperator(op, [x], c.DType, new Pool2DOptions(padding, sw, sh, fw, fh, c.P.Activation()));
    }

    private static void BuildPad(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[][] paddings = c.P.Shapes("paddings");
        if (paddings.Length != input.Length || paddings.Any(p => p.Length != 2))
            throw new ArgumentException($"'paddings' must be one [before, after] pair per input dimension ({input.Length})");
        int x = c.Input("input", c.DType, input);
        int p = ParameterInput(c, "paddings", [input.Length, 2], paddings.SelectMany(q => q).ToArray());
        AddParameterisedOperator(c, BuiltinOperator.Pad, [x, p], new EmptyOptions(BuiltinOptionsType.PadOptions));
    }

    private static void BuildResizeBilinear(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        int[] size = c.P.Ints("size");
        bool align = c.P.Bool("alignCorners", false), half = c.P.Bool("halfPixelCenters", false);
        int x = c.Input("input", c.DType, input);
        int s = ParameterInput(c, "size", [2], size);
        AddParameterisedOperator(c, BuiltinOperator.ResizeBilinear, [x, s], new ResizeBilinearOptions(align, half), version: half ? 3 : 1);
    }

    /// <summary>RESHAPE with the new shape in the options (<c>via</c> = options, default) or as an int32 constant input (<c>tensor</c>).</summary>
    private static void BuildReshape(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] newShape = c.P.Ints("newShape");
        int x = c.Input("input", c.DType, input);
        if (c.P.String("via", "options") == "tensor")
        {
            // The shape constant follows the output in the model (tensor order is part of the case's bytes).
            var options = new ReshapeOptions(null);
            var shapeSpec = OpCaseContext.Int32Spec("shape", [newShape.Length], newShape);
            int y = c.Output("output", c.DType,
                OpCaseContext.InferOutputShape(BuiltinOperator.Reshape, 1, options, default, [c.Spec(x), shapeSpec], c.DType));
            int s = c.Int32Constant("shape", [newShape.Length], newShape);
            c.Model.AddOperator(BuiltinOperator.Reshape, [x, s], [y], options);
        }
        else if (c.P.String("via", "options") == "input")
        {
            // The shape is a graph input: computed at run time, so the output is dynamic (sized at Invoke).
            int s = c.ValueInput("shape", TensorType.Int32, [newShape.Length], System.Runtime.InteropServices.MemoryMarshal.AsBytes(newShape.AsSpan()).ToArray());
            var options = new ReshapeOptions(null);
            int y = c.Output("output", c.DType,
                OpCaseContext.InferOutputShape(BuiltinOperator.Reshape, 1, options, default, [c.Spec(x), c.Spec(s)], c.DType),
                oracleReadsThroughCast: true);
            c.Model.AddOperator(BuiltinOperator.Reshape, [x, s], [y], options);
        }
        else
            c.AddOperator(BuiltinOperator.Reshape, [x], c.DType, new ReshapeOptions(newShape));
    }

    private static void BuildConcatenation(OpCaseContext c)
    {
        int[][] shapes = c.P.Shapes("inputs");
        int axis = c.P.Int("axis");
        var inputs = shapes.Select((s, i) => c.Input($"input{i}", c.DType, s)).ToArray();
        c.AddOperator(BuiltinOperator.Concatenation, inputs, c.DType, new ConcatenationOptions(axis, c.P.Activation()));
    }

    private static void BuildMean(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] axes = c.P.Ints("axes");
        bool keep = c.P.Bool("keepDims", true);
        int x = c.Input("input", c.DType, input);
        int a = ParameterInput(c, "axes", [axes.Length], axes);
        AddParameterisedOperator(c, BuiltinOperator.Mean, [x, a], new ReducerOptions(keep));
    }

    private static void BuildDepthToSpace(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        int block = c.P.Int("block", 2);
        int x = c.Input("input", c.DType, input);
        c.AddOperator(BuiltinOperator.DepthToSpace, [x], c.DType, new DepthToSpaceOptions(block));
    }

    /// <summary>SOFTMAX over the last dimension of <c>shape</c>, <c>beta</c> (default 1) in its options.</summary>
    private static void BuildSoftmax(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        int x = c.Input("input", c.DType, shape);
        c.AddOperator(BuiltinOperator.Softmax, [x], c.DType, new SoftmaxOptions((float)c.P.Double("beta", 1)));
    }

    /// <summary>One input of <c>shape</c>, the output of its dtype; the version TFLite's converter gives the dtype.</summary>
    private static void BuildUnary(OpCaseContext c, BuiltinOperator op)
    {
        int[] shape = c.P.Ints("shape");
        int x = c.Input("input", c.DType, shape);
        int version = (op, c.DType) switch
        {
            (BuiltinOperator.Abs, TensorType.Int32) => 5,
            (BuiltinOperator.Sign, TensorType.Int32) => 2,
            _ => 1,
        };
        c.AddOperator(op, [x], c.DType, version: version);
    }

    /// <summary>
    /// A ⊙ B with NumPy broadcasting for the operators without options (MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, the
    /// comparisons → bool, LOGICAL_AND/OR); <c>b</c> defaults to A's shape; <c>bConstant</c> makes B a constant. The
    /// version is the one TFLite's converter writes (tools/versioning/op_version.cc): MAXIMUM and MINIMUM broadcasting
    /// beyond rank 4 are version 3, the rest 1.
    /// </summary>
    private static void BuildElementwiseBinary(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        int x = c.Input("a", c.DType, a);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, c.Values) : c.Input("b", c.DType, b);
        bool comparison = op is BuiltinOperator.Equal or BuiltinOperator.NotEqual or BuiltinOperator.Less
            or BuiltinOperator.LessEqual or BuiltinOperator.Greater or BuiltinOperator.GreaterEqual;
        bool broadcastBeyond4 = !a.SequenceEqual(b) && Math.Max(a.Length, b.Length) > 4;
        int version = op is BuiltinOperator.Maximum or BuiltinOperator.Minimum && broadcastBeyond4 ? 3 : 1;
        c.AddOperator(op, [x, z], comparison ? TensorType.Bool : c.DType, version: version);
    }

    /// <summary>A ⊙ B with numpy broadcasting; <c>bConstant</c> makes B a constant (as a folded bias would be).</summary>
    private static void BuildBinary(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b");
        var activation = c.P.Activation();
        int x = c.Input("a", c.DType, a);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, c.Values) : c.Input("b", c.DType, b);
        OperatorOptions options = op switch
        {
            BuiltinOperator.Add => new AddOptions(activation),
            BuiltinOperator.Sub => new SubOptions(activation),
            BuiltinOperator.Mul => new MulOptions(activation),
            _ => throw new ArgumentException($"no binary builder for {op.ToSchemaName()}"),
        };
        c.AddOperator(op, [x, z], c.DType, options);
    }
}
