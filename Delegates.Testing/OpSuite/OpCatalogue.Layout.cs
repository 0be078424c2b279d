using Accel.Operators;
using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    /// <summary>
    /// The shape and data-movement family (TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SQUEEZE,
    /// EXPAND_DIMS, GATHER, GATHER_ND, SPLIT, SPLIT_V, UNPACK, PACK, PADV2, MIRROR_PAD): random bit patterns (NaN
    /// payloads, −0, subnormals) that every backend must move unchanged; tensors large enough to split over threads
    /// and to take the CPU kernels' tiled and strided paths; random shapes and permutations; int32 data.
    /// </summary>
    private static void AddLayout(CaseList cases)
    {
        AddTranspose(cases);
        AddSlices(cases);
        AddRearrangements(cases);
        AddGathers(cases);
        AddSplitsAndPacks(cases);
        AddMirroredPads(cases);
    }

    /// <summary>A one-node model: data input x (float32 bits or int32), int32 constant parameters, outputs shaped by the definition.</summary>
    private static OpCaseData LayoutModel(BuiltinOperator op, int[] shape, float[] x, (int[] Shape, int[] Values)[] constants,
        OperatorOptions? options = null, int outputs = 1, bool axisFirst = false, TensorType type = TensorType.Float32, int version = 1,
        float[]? padValue = null)
    {
        var specs = new List<OpTensorSpec?> { OpTensorSpec.Activation(type, shape) };
        specs.AddRange(constants.Select(c => (OpTensorSpec?)OpTensorSpec.Int32Constant(c.Shape, c.Values)));
        if (padValue is not null) specs.Add(OpTensorSpec.Activation(type, []));
        if (axisFirst) (specs[0], specs[1]) = (specs[1], specs[0]);
        var opId = OpId.From(new OperatorCode(op, null, version));
        var shapes = OpShapeInference.Infer(opId, version, options, default, specs, Enumerable.Repeat(type, outputs).ToArray()).OutputShapes;

        var m = new CaseModel();
        int data = m.Input("x", type, shape, x);
        var inputs = new List<int> { data };
        for (int k = 0; k < constants.Length; k++) inputs.Add(m.Const($"p{k}", constants[k].Shape, constants[k].Values));
        if (padValue is not null) inputs.Add(m.Input("value", type, [], padValue));
        if (axisFirst) (inputs[0], inputs[1]) = (inputs[1], inputs[0]);
        int[] outs = shapes.Select((s, k) => m.Output($"y{k}", s, type)).ToArray();
        m.Op(op, [.. inputs], outs, options, version);
        return m.Done();
    }

    private static int[] Ints(params int[] values) => values;

    private static void AddTranspose(CaseList cases)
    {
        const string op = "TRANSPOSE";
        // Layout changes of real models: NHWC ↔ NCHW, large enough for tiles on several threads.
        foreach (var (shape, perm) in new[]
                 {
                     (Ints(1, 48, 64, 40), Ints(0, 3, 1, 2)), (Ints(1, 40, 48, 64), Ints(0, 2, 3, 1)), (Ints(257, 129), Ints(1, 0)),
                     (Ints(3, 5, 7, 9, 2), Ints(4, 2, 0, 3, 1)), (Ints(2, 3, 4, 5, 6, 2), Ints(5, 0, 4, 1, 3, 2)), (Ints(4, 3, 5), Ints(0, 1, 2)),
                     (Ints(6, 1, 7), Ints(2, 1, 0)), (Ints(2, 33, 3), Ints(1, 0, 2)),
                 })
        {
            int seed = Count(shape) + perm[0];
            cases.Add(op, $"{S(shape)} perm {S(perm)}", () =>
                LayoutModel(BuiltinOperator.Transpose, shape, AnyBits(new Random(seed), Count(shape)), [([perm.Length], perm)]), NaNPayloads.Moved);
        }
        // Random ranks 1–6, dimensions 1–9, permutations.
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(1200, i);
            int rank = random.Next(1, 7);
            int[] shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 10)).ToArray();
            int[] perm = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).ToArray();
            int seed = random.Next();
            cases.Add(op, $"random {i} {S(shape)} perm {S(perm)}", () =>
                LayoutModel(BuiltinOperator.Transpose, shape, AnyBits(new Random(seed), Count(shape)), [([rank], perm)]), NaNPayloads.Moved);
        }
        cases.Add(op, "int32 [17,19] perm [1,0]", () =>
            LayoutModel(BuiltinOperator.Transpose, [17, 19], AnyBits(new Random(1201), 17 * 19), [([2], [1, 0])], type: TensorType.Int32), NaNPayloads.Moved);
    }

    private static void AddSlices(CaseList cases)
    {
        cases.Add("SLICE", "[2,40,50,33] begin [0,3,5,1] size [2,-1,40,30]", () =>
            LayoutModel(BuiltinOperator.Slice, [2, 40, 50, 33], AnyBits(new Random(1300), 2 * 40 * 50 * 33),
                [([4], [0, 3, 5, 1]), ([4], [2, -1, 40, 30])]), NaNPayloads.Moved);
        cases.Add("SLICE", "int32 [9,7] begin [2,0] size [5,-1]", () =>
            LayoutModel(BuiltinOperator.Slice, [9, 7], AnyBits(new Random(1301), 63), [([2], [2, 0]), ([2], [5, -1])], type: TensorType.Int32),
            NaNPayloads.Moved);
        foreach (var (shape, begin, end, strides, options) in new[]
                 {
                     (Ints(4, 50, 60, 16), Ints(0, 49, 0, 0), Ints(4, 0, 60, 16), Ints(1, -1, 2, 1), new StridedSliceOptions(0, 0)),
                     (Ints(4, 50, 60, 16), Ints(1, 0, 3, 0), Ints(3, 50, 57, 16), Ints(1, 3, 1, 2), new StridedSliceOptions(0, 0)),
                     (Ints(3, 40, 40, 8), Ints(0, 0, -1, 2), Ints(0, 0, 0, 6), Ints(1, 2, -3, 1), new StridedSliceOptions(3, 3)),
                     (Ints(3, 40, 40, 8), Ints(2, 5, 0, 0), Ints(3, 6, 40, 8), Ints(1, 1, 1, 1), new StridedSliceOptions(0, 0, ShrinkAxisMask: 3)),
                     (Ints(3, 40, 40, 8), Ints(0, 1), Ints(0, 7), Ints(1, 2), new StridedSliceOptions(0, 0, EllipsisMask: 1)),
                     (Ints(5, 7, 9), Ints(0, 0, 1, 0), Ints(5, 0, 6, 9), Ints(2, 1, 1, -1), new StridedSliceOptions(0, 8, NewAxisMask: 2)),
                 })
        {
            int seed = Count(shape) + begin.Sum();
            cases.Add("STRIDED_SLICE", $"{S(shape)} begin {S(begin)} end {S(end)} strides {S(strides)} masks {options.BeginMask},{options.EndMask},{options.EllipsisMask},{options.NewAxisMask},{options.ShrinkAxisMask}",
                () => LayoutModel(BuiltinOperator.StridedSlice, shape, AnyBits(new Random(seed), Count(shape)),
                    [([begin.Length], begin), ([end.Length], end), ([strides.Length], strides)], options), NaNPayloads.Moved);
        }
    }

    private static void AddRearrangements(CaseList cases)
    {
        foreach (int[] axes in new[] { Ints(1), Ints(2), Ints(0, 2), Ints(-1, 0, 1) })
            cases.Add("REVERSE_V2", $"[8,64,100] axes {S(axes)}", () =>
                LayoutModel(BuiltinOperator.ReverseV2, [8, 64, 100], AnyBits(new Random(1400 + axes.Length), 8 * 64 * 100), [([axes.Length], axes)]),
                NaNPayloads.Moved);
        cases.Add("TILE", "[3,1,50] multiples [2,40,3]", () =>
            LayoutModel(BuiltinOperator.Tile, [3, 1, 50], AnyBits(new Random(1401), 150), [([3], [2, 40, 3])]), NaNPayloads.Moved);
        cases.Add("TILE", "int32 [2,3] multiples [3,1]", () =>
            LayoutModel(BuiltinOperator.Tile, [2, 3], AnyBits(new Random(1402), 6), [([2], [3, 1])], type: TensorType.Int32), NaNPayloads.Moved);
        cases.Add("BROADCAST_TO", "[1,64,1] to [50,64,30]", () =>
            LayoutModel(BuiltinOperator.BroadcastTo, [1, 64, 1], AnyBits(new Random(1403), 64), [([3], [50, 64, 30])], version: 2), NaNPayloads.Moved);
        cases.Add("BROADCAST_TO", "[7] to [3,1,7]", () =>
            LayoutModel(BuiltinOperator.BroadcastTo, [7], AnyBits(new Random(1404), 7), [([3], [3, 1, 7])], version: 2), NaNPayloads.Moved);
        cases.Add("SQUEEZE", "[1,30,1,40]", () =>
            LayoutModel(BuiltinOperator.Squeeze, [1, 30, 1, 40], AnyBits(new Random(1405), 1200), [], new SqueezeOptions([])), NaNPayloads.Moved);
        cases.Add("EXPAND_DIMS", "[30,40] axis -1", () =>
            LayoutModel(BuiltinOperator.ExpandDims, [30, 40], AnyBits(new Random(1406), 1200), [([1], [-1])]), NaNPayloads.Moved);
    }

    private static void AddGathers(CaseList cases)
    {
        foreach (var (shape, indicesShape, axis, batchDims) in new[]
                 {
                     (Ints(100, 64, 8), Ints(300), 0, 0), (Ints(64, 50, 100), Ints(50), -1, 0), (Ints(8, 30, 20, 6), Ints(8, 11), 2, 1),
                     (Ints(1000), Ints(7, 9), 0, 0),
                 })
        {
            int resolved = axis < 0 ? axis + shape.Length : axis;
            var random = Rng(1500, shape[0] + indicesShape.Length);
            int[] indices = Enumerable.Range(0, Count(indicesShape)).Select(_ => random.Next(shape[resolved])).ToArray();
            int seed = random.Next();
            cases.Add("GATHER", $"{S(shape)} indices {S(indicesShape)} axis {axis} batch_dims {batchDims}", () =>
                LayoutModel(BuiltinOperator.Gather, shape, AnyBits(new Random(seed), Count(shape)), [(indicesShape, indices)],
                    new GatherOptions(axis, batchDims)), NaNPayloads.Moved);
        }
        cases.Add("GATHER_ND", "[20,30,16] indices [40,2]", () =>
        {
            var random = Rng(1501, 0);
            int[] indices = Enumerable.Range(0, 80).Select(k => random.Next(k % 2 == 0 ? 20 : 30)).ToArray();
            return LayoutModel(BuiltinOperator.GatherNd, [20, 30, 16], AnyBits(random, 20 * 30 * 16), [([40, 2], indices)]);
        }, NaNPayloads.Moved);
    }

    private static void AddSplitsAndPacks(CaseList cases)
    {
        cases.Add("SPLIT", "[4,90,70] axis 1 in 3", () =>
            LayoutModel(BuiltinOperator.Split, [4, 90, 70], AnyBits(new Random(1600), 4 * 90 * 70), [([], [1])], new SplitOptions(3), outputs: 3,
                axisFirst: true), NaNPayloads.Moved);
        cases.Add("SPLIT", "[6,5] axis -1 in 5", () =>
            LayoutModel(BuiltinOperator.Split, [6, 5], AnyBits(new Random(1601), 30), [([], [-1])], new SplitOptions(5), outputs: 5, axisFirst: true),
            NaNPayloads.Moved);
        cases.Add("SPLIT_V", "[40,50,16] sizes [10,-1,5] axis 1", () =>
            LayoutModel(BuiltinOperator.SplitV, [40, 50, 16], AnyBits(new Random(1602), 40 * 50 * 16), [([3], [10, -1, 5]), ([], [1])],
                new SplitVOptions(3), outputs: 3), NaNPayloads.Moved);
        cases.Add("UNPACK", "[3,40,50] axis 0", () =>
            LayoutModel(BuiltinOperator.Unpack, [3, 40, 50], AnyBits(new Random(1603), 6000), [], new UnpackOptions(3, 0), outputs: 3), NaNPayloads.Moved);
        cases.Add("UNPACK", "[20,4] axis -1", () =>
            LayoutModel(BuiltinOperator.Unpack, [20, 4], AnyBits(new Random(1604), 80), [], new UnpackOptions(4, -1), outputs: 4), NaNPayloads.Moved);
        cases.Add("PACK", "3 × [40,50] axis 1", () =>
        {
            var random = Rng(1605, 0);
            var m = new CaseModel();
            int[] inputs = Enumerable.Range(0, 3).Select(k => m.Input($"x{k}", [40, 50], AnyBits(random, 2000))).ToArray();
            var options = new PackOptions(3, 1);
            var shape = OpShapeInference.Infer(OpId.From(new OperatorCode(BuiltinOperator.Pack, null, 1)), 1, options, default,
                inputs.Select(_ => (OpTensorSpec?)OpTensorSpec.Activation(TensorType.Float32, [40, 50])).ToArray(), [TensorType.Float32]).OutputShape;
            m.Op(BuiltinOperator.Pack, inputs, [m.Output("y", shape)], options);
            return m.Done();
        }, NaNPayloads.Moved);
    }

    private static void AddMirroredPads(CaseList cases)
    {
        cases.Add("PADV2", "[1,60,70,16] by [0,0,2,3,1,0,0,4], constant value", () =>
            LayoutModel(BuiltinOperator.PadV2, [1, 60, 70, 16], AnyBits(new Random(1700), 60 * 70 * 16), [([4, 2], [0, 0, 2, 3, 1, 0, 0, 4])],
                padValue: [BitConverter.UInt32BitsToSingle(0x7FC01234)]), NaNPayloads.Moved);
        cases.Add("PADV2", "int32 [5,6] by [1,2,0,3], value input", () =>
            LayoutModel(BuiltinOperator.PadV2, [5, 6], AnyBits(new Random(1701), 30), [([2, 2], [1, 2, 0, 3])], type: TensorType.Int32,
                padValue: [BitConverter.Int32BitsToSingle(-5)]), NaNPayloads.Moved);
        cases.Add("PADV2", "[7,9] by [0,0,0,0], zero padding", () =>
            LayoutModel(BuiltinOperator.PadV2, [7, 9], AnyBits(new Random(1702), 63), [([2, 2], [0, 0, 0, 0])]), NaNPayloads.Moved);
        foreach (var mode in new[] { MirrorPadMode.Reflect, MirrorPadMode.Symmetric })
        {
            cases.Add("MIRROR_PAD", $"{mode} [1,60,70,8] by [0,0,3,2,5,4,0,0]", () =>
                LayoutModel(BuiltinOperator.MirrorPad, [1, 60, 70, 8], AnyBits(new Random(1703), 60 * 70 * 8), [([4, 2], [0, 0, 3, 2, 5, 4, 0, 0])],
                    new MirrorPadOptions(mode)), NaNPayloads.Moved);
            cases.Add("MIRROR_PAD", $"{mode} [4,5] by [2,3,4,4]", () =>
                LayoutModel(BuiltinOperator.MirrorPad, [4, 5], AnyBits(new Random(1704), 20), [([2, 2], [2, 3, 4, 4])], new MirrorPadOptions(mode)),
                NaNPayloads.Moved);
        }
    }
}
