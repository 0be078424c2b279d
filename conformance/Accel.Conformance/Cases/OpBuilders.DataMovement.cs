using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

internal static partial class OpBuilders
{
    /// <summary>
    /// The shape and data-movement operators: one data input of <c>input</c>'s shape (model input, the case's dtype and
    /// value set), their shape parameters (begin, perm, axis, paddings …) as int32 constants of the model, GATHER's
    /// and GATHER_ND's indices drawn per case and kept inside the input. With <c>via</c> = input the shape parameters
    /// are graph inputs instead (computed at run time: the output is dynamic).
    /// </summary>
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> DataMovementBuilders() =>
    [
        Builtin(BuiltinOperator.Transpose, ["input", "perm", "via", "values"], BuildTranspose),
        Builtin(BuiltinOperator.Slice, ["input", "begin", "size", "via", "values"], BuildSlice),
        Builtin(BuiltinOperator.StridedSlice,
            ["input", "begin", "end", "strides", "beginMask", "endMask", "ellipsisMask", "newAxisMask", "shrinkAxisMask", "offset", "via", "values"],
            BuildStridedSlice),
        Builtin(BuiltinOperator.Gather, ["input", "indices", "axis", "batchDims", "values"], BuildGather),
        Builtin(BuiltinOperator.GatherNd, ["input", "indices", "values"], BuildGatherNd),
        Builtin(BuiltinOperator.Split, ["input", "axis", "numSplits", "via", "values"], BuildSplit),
        Builtin(BuiltinOperator.SplitV, ["input", "sizeSplits", "axis", "via", "values"], BuildSplitV),
        Builtin(BuiltinOperator.Pack, ["input", "count", "axis", "values"], BuildPack),
        Builtin(BuiltinOperator.Unpack, ["input", "axis", "values"], BuildUnpack),
        Builtin(BuiltinOperator.Squeeze, ["input", "squeezeDims", "values"], BuildSqueeze),
        Builtin(BuiltinOperator.ExpandDims, ["input", "axis", "via", "values"], BuildExpandDims),
        Builtin(BuiltinOperator.Tile, ["input", "multiples", "via", "values"], BuildTile),
        new(BuiltinOperator.BroadcastTo.ToSchemaName(), new OperatorCode(BuiltinOperator.BroadcastTo, null, 2), ["input", "shape", "via", "values"],
            BuildBroadcastTo),
        Builtin(BuiltinOperator.ReverseV2, ["input", "axes", "values"], BuildReverseV2),
        Builtin(BuiltinOperator.PadV2, ["input", "paddings", "padValue", "via", "values"], BuildPadV2),
        Builtin(BuiltinOperator.MirrorPad, ["input", "paddings", "mode", "via", "values"], BuildMirrorPad),
    ];

    private static void BuildTranspose(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] perm = c.P.Ints("perm");
        int x = c.Input("input", c.DType, input);
        int p = ParameterInput(c, "perm", [perm.Length], perm);
        AddParameterisedOperator(c, BuiltinOperator.Transpose, [x, p], new EmptyOptions(BuiltinOptionsType.TransposeOptions));
    }

    private static void BuildSlice(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] begin = c.P.Ints("begin"), size = c.P.Ints("size");
        int x = c.Input("input", c.DType, input);
        int b = ParameterInput(c, "begin", [begin.Length], begin);
        int s = ParameterInput(c, "size", [size.Length], size);
        AddParameterisedOperator(c, BuiltinOperator.Slice, [x, b, s], new EmptyOptions(BuiltinOptionsType.SliceOptions));
    }

    /// <summary>STRIDED_SLICE; <c>strides</c> default to 1, the masks to 0, <c>offset</c> (end relative to begin) to false.</summary>
    private static void BuildStridedSlice(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] begin = c.P.Ints("begin"), end = c.P.Ints("end");
        int[] strides = c.P.Ints("strides", Enumerable.Repeat(1, begin.Length).ToArray());
        var options = new StridedSliceOptions(c.P.Int("beginMask", 0), c.P.Int("endMask", 0), c.P.Int("ellipsisMask", 0),
            c.P.Int("newAxisMask", 0), c.P.Int("shrinkAxisMask", 0), c.P.Bool("offset", false));
        int x = c.Input("input", c.DType, input);
        int b = ParameterInput(c, "begin", [begin.Length], begin);
        int e = ParameterInput(c, "end", [end.Length], end);
        int s = ParameterInput(c, "strides", [strides.Length], strides);
        AddParameterisedOperator(c, BuiltinOperator.StridedSlice, [x, b, e, s], options);
    }

    /// <summary>Indices of <paramref name="shape"/> drawn for the case, each mapped into [0, bound(k)) (k: its position).</summary>
    private static int[] DrawIndices(OpCaseContext c, int[] shape, Func<int, int> bound)
    {
        var raw = MemoryMarshal.Cast<byte, int>(c.Data("indices", TensorType.Int32, shape, "uniform"));
        var indices = new int[raw.Length];
        for (int k = 0; k < raw.Length; k++)
        {
            int n = bound(k);
            indices[k] = n == 0 ? 0 : ((raw[k] % n) + n) % n;
        }
        return indices;
    }

    /// <summary>GATHER along <c>axis</c> (default 0) with <c>batchDims</c> (default 0); constant in-range indices of shape <c>indices</c>.</summary>
    private static void BuildGather(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] indicesShape = c.P.Ints("indices");
        int axis = c.P.Int("axis", 0), batchDims = c.P.Int("batchDims", 0);
        int axisSize = input[axis < 0 ? axis + input.Length : axis];
        int x = c.Input("input", c.DType, input);
        int i = c.Int32Constant("indices", indicesShape, DrawIndices(c, indicesShape, _ => axisSize));
        c.AddOperator(BuiltinOperator.Gather, [x, i], c.DType, new GatherOptions(axis, batchDims));
    }

    /// <summary>GATHER_ND with constant in-range indices of shape <c>indices</c> (last dimension: the index depth).</summary>
    private static void BuildGatherNd(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] indicesShape = c.P.Ints("indices");
        int depth = indicesShape[^1];
        int x = c.Input("input", c.DType, input);
        int i = c.Int32Constant("indices", indicesShape, DrawIndices(c, indicesShape, k => input[k % depth]));
        c.AddOperator(BuiltinOperator.GatherNd, [x, i], c.DType, new EmptyOptions(BuiltinOptionsType.GatherNdOptions));
    }

    /// <summary>Adds a node with several outputs (their shapes from the definition) named output0, output1, ….</summary>
    private static void AddMultiOutput(OpCaseContext c, BuiltinOperator op, int[] inputs, int outputs, OperatorOptions options)
    {
        var shapes = OpShapeInference.Infer(OpId.From(new OperatorCode(op, null, 1)), 1, options, default,
            inputs.Select(c.Spec).ToArray(), Enumerable.Repeat(c.DType, outputs).ToArray()).OutputShapes;
        // Outputs sized at Invoke (run-time parameters) reach LiteRT.js only through a CAST.
        var outputTensors = shapes.Select((s, k) => c.Output($"output{k}", c.DType, s, oracleReadsThroughCast: ParametersAtRunTime(c))).ToArray();
        c.Model.AddOperator(op, inputs, outputTensors, options);
    }

    private static void BuildSplit(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int splits = c.P.Int("numSplits");
        int a = ParameterInput(c, "axis", [], [c.P.Int("axis")]);
        int x = c.Input("input", c.DType, input);
        AddMultiOutput(c, BuiltinOperator.Split, [a, x], splits, new SplitOptions(splits));
    }

    private static void BuildSplitV(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] sizes = c.P.Ints("sizeSplits");
        int x = c.Input("input", c.DType, input);
        int s = ParameterInput(c, "size_splits", [sizes.Length], sizes);
        int a = ParameterInput(c, "axis", [], [c.P.Int("axis")]);
        AddMultiOutput(c, BuiltinOperator.SplitV, [x, s, a], sizes.Length, new SplitVOptions(sizes.Length));
    }

    /// <summary>PACK of <c>count</c> inputs of shape <c>input</c> along <c>axis</c>.</summary>
    private static void BuildPack(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int count = c.P.Int("count");
        var inputs = Enumerable.Range(0, count).Select(k => c.Input($"input{k}", c.DType, input)).ToArray();
        c.AddOperator(BuiltinOperator.Pack, inputs, c.DType, new PackOptions(count, c.P.Int("axis")));
    }

    private static void BuildUnpack(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int axis = c.P.Int("axis");
        int x = c.Input("input", c.DType, input);
        int num = input[axis < 0 ? axis + input.Length : axis];
        AddMultiOutput(c, BuiltinOperator.Unpack, [x], num, new UnpackOptions(num, axis));
    }

    private static void BuildSqueeze(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int x = c.Input("input", c.DType, input);
        c.AddOperator(BuiltinOperator.Squeeze, [x], c.DType, new SqueezeOptions(c.P.Ints("squeezeDims", [])));
    }

    private static void BuildExpandDims(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int x = c.Input("input", c.DType, input);
        int a = ParameterInput(c, "axis", [1], [c.P.Int("axis")]);
        AddParameterisedOperator(c, BuiltinOperator.ExpandDims, [x, a], new EmptyOptions(BuiltinOptionsType.ExpandDimsOptions));
    }

    private static void BuildTile(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] multiples = c.P.Ints("multiples");
        int x = c.Input("input", c.DType, input);
        int m = ParameterInput(c, "multiples", [multiples.Length], multiples);
        AddParameterisedOperator(c, BuiltinOperator.Tile, [x, m], new EmptyOptions(BuiltinOptionsType.TileOptions));
    }

    /// <summary>BROADCAST_TO (version 2: version 1's opcode number was withdrawn).</summary>
    private static void BuildBroadcastTo(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] shape = c.P.Ints("shape");
        int x = c.Input("input", c.DType, input);
        int s = ParameterInput(c, "shape", [shape.Length], shape);
        AddParameterisedOperator(c, BuiltinOperator.BroadcastTo, [x, s], new EmptyOptions(BuiltinOptionsType.BroadcastToOptions), version: 2);
    }

    private static void BuildReverseV2(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] axes = c.P.Ints("axes");
        int x = c.Input("input", c.DType, input);
        int a = c.Int32Constant("axis", [axes.Length], axes);
        c.AddOperator(BuiltinOperator.ReverseV2, [x, a], c.DType, new EmptyOptions(BuiltinOptionsType.ReverseV2Options));
    }

    private static int PaddingsInput(OpCaseContext c, int rank)
    {
        int[][] paddings = c.P.Shapes("paddings");
        if (paddings.Length != rank || paddings.Any(p => p.Length != 2))
            throw new ArgumentException($"'paddings' must be one [before, after] pair per input dimension ({rank})");
        return ParameterInput(c, "paddings", [rank, 2], paddings.SelectMany(q => q).ToArray());
    }

    /// <summary>PADV2; the pad value (<c>padValue</c>) a scalar constant (default), a scalar model input or omitted (none).</summary>
    private static void BuildPadV2(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int x = c.Input("input", c.DType, input);
        int p = PaddingsInput(c, input.Length);
        int[] inputs = c.P.String("padValue", "constant") switch
        {
            "constant" => [x, p, c.Constant("constant_values", c.DType, [], c.Values)],
            "input" => [x, p, c.Input("constant_values", c.DType, [])],
            "none" => [x, p],
            var other => throw new FormatException($"parameter 'padValue' must be constant, input or none, not '{other}'"),
        };
        AddParameterisedOperator(c, BuiltinOperator.PadV2, inputs, new EmptyOptions(BuiltinOptionsType.PadV2Options));
    }

    private static void BuildMirrorPad(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        var mode = c.P.String("mode", "REFLECT") switch
        {
            "REFLECT" => MirrorPadMode.Reflect,
            "SYMMETRIC" => MirrorPadMode.Symmetric,
            var other => throw new FormatException($"parameter 'mode' must be REFLECT or SYMMETRIC, not '{other}'"),
        };
        int x = c.Input("input", c.DType, input);
        int p = PaddingsInput(c, input.Length);
        AddParameterisedOperator(c, BuiltinOperator.MirrorPad, [x, p], new MirrorPadOptions(mode));
    }
}
