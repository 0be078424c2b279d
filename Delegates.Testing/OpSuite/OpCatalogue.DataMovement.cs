using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    /// <summary>RESHAPE, PAD, CONCATENATION, DEPTH_TO_SPACE: bit-preserving moves (NaN payloads, −0), +0 fill, non-float32 refusals.</summary>
    private static void AddDataMovement(CaseList cases)
    {
        AddReshape(cases);
        AddPad(cases);
        AddConcatenation(cases);
        AddDepthToSpace(cases);
    }

    private static void AddReshape(CaseList cases)
    {
        const string op = "RESHAPE";
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(400, i);
            int c = Channel(random), h = Odd(random, 7), w = Odd(random, 7);
            int[] input = [1, h, w, c];
            int[] output = random.Next(2) == 0 ? [1, h * w, c] : [h * w * c];
            bool withOptions = random.Next(2) == 0;
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} {S(input)} → {S(output)}{(withOptions ? " with options" : "")}", () =>
            {
                var m = new CaseModel();
                int ti = m.Input("x", input, Values(new Random(valueSeed), Count(input), 4f, 0.3));
                int ts = m.Const("shape", [output.Length], output);
                int to = m.Output("y", output);
                m.Op(BuiltinOperator.Reshape, [ti, ts], [to], withOptions ? new ReshapeOptions(output) : null);
                return m.Done();
            }, NaNPayloads.Moved);
        }
        // ADD → RESHAPE → MUL: the reshaped tensor is both a graph output and the next node's input.
        cases.Add(op, "between two delegated nodes, also a graph output", () =>
        {
            var random = Rng(401, 0);
            var m = new CaseModel();
            int x = m.Input("x", [1, 4, 6, 5], MixedValues(random, 120, 0.3));
            int a = m.Tensor("a", [1, 4, 6, 5]);
            m.Op(BuiltinOperator.Add, [x, m.Const("c", [5], MixedValues(random, 5, 0))], [a], new AddOptions(ActivationFunctionType.None));
            int r = m.Output("r", [24, 5]);
            m.Op(BuiltinOperator.Reshape, [a, m.Const("shape", [2], new[] { 24, 5 })], [r]);
            int y = m.Output("y", [24, 5]);
            m.Op(BuiltinOperator.Mul, [r, r], [y], new MulOptions(ActivationFunctionType.None));
            return m.Done();
        }, subject: 1);
    }

    private static void AddPad(CaseList cases)
    {
        const string op = "PAD";
        // Ranks 1–4, paddings often zero: +0 fill and bit-preserving copies.
        for (int i = 0; i < 7; i++)
        {
            var random = Rng(600, i);
            int rank = random.Next(1, 5);
            var input = new int[rank];
            for (int d = 0; d < rank; d++) input[d] = d == rank - 1 ? Channel(random) : random.Next(1, 6);
            var paddings = new int[2 * rank];
            for (int p = 0; p < paddings.Length; p++) paddings[p] = random.Next(4) == 0 ? 0 : random.Next(0, 4);
            if (rank == 4) paddings[0] = paddings[1] = 0;
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} {S(input)} by [{string.Join(",", paddings)}]", () => PadModel(input, paddings, false,
                Values(new Random(valueSeed), Count(input), 4f, 0.3)), NaNPayloads.Moved);
        }
        // Any padding of any dimension (batch included), int32 and int64 paddings tensors.
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(601, i);
            int rank = random.Next(1, 5);
            var input = Enumerable.Range(0, rank).Select(_ => random.Next(1, 6)).ToArray();
            var paddings = Enumerable.Range(0, 2 * rank).Select(_ => random.Next(0, 3)).ToArray();
            bool int64 = i % 2 == 1;
            int valueSeed = random.Next();
            cases.Add(op, $"any dimension {i} {S(input)} by [{string.Join(",", paddings)}]{(int64 ? " int64" : "")}", () =>
                PadModel(input, paddings, int64, MixedValues(new Random(valueSeed), Count(input), 0.3)));
        }
        // Outputs of a few hundred KB, which a backend with threads splits by output rows: ranges that begin inside a
        // padded batch, inside the rows of an image, and channel-only padding (every row copied).
        (int[] Input, int[] Paddings)[] large =
        [
            ([2, 40, 33, 24], [1, 0, 1, 2, 2, 1, 0, 0]),
            ([1, 64, 64, 10], [0, 0, 0, 0, 0, 0, 3, 3]),
            ([7, 50, 300], [2, 1, 0, 3, 0, 0]),
        ];
        foreach (var (input, paddings) in large)
        {
            int valueSeed = Rng(602, input.Length).Next();
            cases.Add(op, $"large {S(input)} by [{string.Join(",", paddings)}]", () => PadModel(input, paddings, false,
                Values(new Random(valueSeed), Count(input), 4f, 0.3)), NaNPayloads.Moved);
        }
    }

    private static OpCaseData PadModel(int[] input, int[] paddings, bool int64, float[] x)
    {
        int rank = input.Length;
        var output = input.Select((s, d) => s + paddings[2 * d] + paddings[2 * d + 1]).ToArray();
        var m = new CaseModel();
        int ti = m.Input("x", input, x);
        int tp = int64 ? m.Int64Const("paddings", [rank, 2], paddings.Select(v => (long)v).ToArray()) : m.Const("paddings", [rank, 2], paddings);
        int to = m.Output("y", output);
        m.Op(BuiltinOperator.Pad, [ti, tp], [to]);
        return m.Done();
    }

    private static void AddConcatenation(CaseList cases)
    {
        const string op = "CONCATENATION";
        // Ranks 2–4, 1–3 inputs, every axis (positive and negative), channel tails, an activation sometimes.
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(500, i);
            int rank = random.Next(2, 5);
            var baseShape = new int[rank];
            for (int d = 0; d < rank; d++) baseShape[d] = d == rank - 1 ? Channel(random) : random.Next(1, 5);
            int axis = random.Next(rank);
            var shapes = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            {
                var s = (int[])baseShape.Clone();
                s[axis] = axis == rank - 1 ? Channel(random) : random.Next(1, 5);
                return s;
            }).ToArray();
            int writtenAxis = random.Next(2) == 0 ? axis : axis - rank;
            var activation = random.Next(3) == 0 ? Activations[random.Next(Activations.Length)] : ActivationFunctionType.None;
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} axis {writtenAxis} {activation} of {string.Join(" ", shapes.Select(s => S(s)))}", () =>
            {
                var values = new Random(valueSeed);
                return ConcatModel(shapes, writtenAxis, activation, -1, n => Values(values, n, 4f, 0.3));
            }, activation == ActivationFunctionType.None ? NaNPayloads.Moved : NaNPayloads.Deterministic);
        }
        // Ranks 1–5, 1–5 inputs, one of them sometimes a constant, channel counts around 64, every activation.
        for (int i = 0; i < 10; i++)
        {
            var random = Rng(501, i);
            int rank = random.Next(1, 6);
            int axis = random.Next(rank);
            var baseShape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 7)).ToArray();
            if (i % 4 == 0) baseShape[^1] = new[] { 63, 64, 65 }[random.Next(3)];
            var shapes = Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
            {
                var s = baseShape.ToArray();
                s[axis] = random.Next(1, 9);
                return s;
            }).ToArray();
            int writtenAxis = random.Next(2) == 0 ? axis : axis - rank;
            var activation = Activations[i % 4];
            int constantIndex = i % 3 == 0 && shapes.Length > 1 ? random.Next(shapes.Length) : -1;
            int valueSeed = random.Next();
            cases.Add(op, $"any rank {i} axis {writtenAxis} {activation} of {string.Join(" ", shapes.Select(s => S(s)))}{(constantIndex >= 0 ? $" const {constantIndex}" : "")}",
                () =>
                {
                    var values = new Random(valueSeed);
                    return ConcatModel(shapes, writtenAxis, activation, constantIndex, n => MixedValues(values, n, 0.3));
                });
        }
        cases.Add(op, "the same tensor twice", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [1, 9, 7, 33], MixedValues(Rng(502, 0), 9 * 7 * 33, 0.2));
            int y = m.Output("y", [1, 9, 7, 66]);
            m.Op(BuiltinOperator.Concatenation, [x, x], [y], new ConcatenationOptions(3, ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Moved);
        cases.Add(op, "12 inputs along the last axis RELU6", () =>
        {
            var random = Rng(502, 1);
            var shapes = Enumerable.Range(0, 12).Select(i => new[] { 2, 5, 1 + i % 4 }).ToArray();
            return ConcatModel(shapes, -1, ActivationFunctionType.Relu6, -1, n => MixedValues(random, n, 0.2));
        });
        // Every output word equals an input word (no clamp reaches these values; RELU6 turns negative subnormals to +0).
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu6 })
            cases.Add(op, $"NaN payloads, −0 and subnormals kept word for word {activation}", () =>
            {
                uint[] words = [0x7FC00001, 0xFFC12345, 0x7F800001, 0xFF80FFFF, 0x7FFFFFFF, 0x80000000, 0x00000001, 0x007FFFFF, 0x80000001, 0x3F800000];
                var a = words.Select(BitConverter.UInt32BitsToSingle).ToArray();
                var b = words.Reverse().Select(BitConverter.UInt32BitsToSingle).ToArray();
                uint[] expected = [.. words[..5], .. words.Reverse().Take(5), .. words[5..], .. words.Reverse().Skip(5)];
                if (activation == ActivationFunctionType.Relu6) expected = expected.Select(w => w is 0x80000001 ? 0u : w).ToArray();
                var m = new CaseModel();
                int ta = m.Input("a", [2, 5], a);
                int tb = m.Input("b", [2, 5], b);
                int y = m.Output("y", [2, 10]);
                m.Op(BuiltinOperator.Concatenation, [ta, tb], [y], new ConcatenationOptions(1, activation));
                return m.Done([expected.Select(BitConverter.UInt32BitsToSingle).ToArray()]);
            }, NaNPayloads.Moved);
        cases.Add(op, "NaN payloads of inputs of different widths kept word for word", () =>
        {
            float nan1 = BitConverter.UInt32BitsToSingle(0x7FC00123), nan2 = BitConverter.UInt32BitsToSingle(0xFFC0BEEF);
            var m = new CaseModel();
            int a = m.Input("a", [2, 3], [nan1, -0f, 1e-40f, nan2, float.NegativeInfinity, 2f]);
            int b = m.Input("b", [2, 2], [nan2, -1e-45f, nan1, 0f]);
            int y = m.Output("y", [2, 5]);
            m.Op(BuiltinOperator.Concatenation, [a, b], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
            return m.Done([[nan1, -0f, 1e-40f, nan2, -1e-45f, nan2, float.NegativeInfinity, 2f, nan1, 0f]]);
        }, NaNPayloads.Moved);
        cases.Add(op, "int32 inputs (not float32)", () =>
        {
            var m = new CaseModel();
            int a = m.Int32Input("a", [2, 3], [1, -2, 3, int.MinValue, 5, 6]);
            int b = m.Int32Input("b", [2, 4], [7, 8, 9, 10, int.MaxValue, 12, 13, 14]);
            int y = m.Output("y", [2, 7], TensorType.Int32);
            m.Op(BuiltinOperator.Concatenation, [a, b], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Moved);
    }

    /// <summary>A CONCATENATION of <paramref name="shapes"/>; input <paramref name="constantIndex"/> (if ≥ 0) a constant.</summary>
    private static OpCaseData ConcatModel(int[][] shapes, int axis, ActivationFunctionType activation, int constantIndex, Func<int, float[]> values)
    {
        int rank = shapes[0].Length;
        int positive = axis < 0 ? axis + rank : axis;
        var outputShape = shapes[0].ToArray();
        outputShape[positive] = shapes.Sum(s => s[positive]);
        var m = new CaseModel();
        var inputs = new int[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            float[] v = values(Count(shapes[i]));
            inputs[i] = i == constantIndex ? m.Const($"c{i}", shapes[i], v) : m.Input($"x{i}", shapes[i], v);
        }
        int y = m.Output("y", outputShape);
        m.Op(BuiltinOperator.Concatenation, inputs, [y], new ConcatenationOptions(axis, activation));
        return m.Done();
    }

    private static void AddDepthToSpace(CaseList cases)
    {
        const string op = "DEPTH_TO_SPACE";
        // Block sizes 1–3, batches 1–2, odd spatial sizes, channel tails.
        for (int i = 0; i < 5; i++)
        {
            var random = Rng(700, i);
            int block = random.Next(1, 4);
            int depth = Channel(random) * block * block;
            int[] input = [random.Next(1, 3), Odd(random, 5), Odd(random, 5), depth];
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} block {block} {S(input)}", () => DepthToSpaceModel(input, block,
                Values(new Random(valueSeed), Count(input), 4f, 0.3)), NaNPayloads.Moved);
        }
        // Block sizes 1–4, output depths around 64.
        for (int i = 0; i < 7; i++)
        {
            var random = Rng(701, i);
            int block = i % 4 + 1;
            int outputDepth = new[] { 1, 2, 3, 7, 16, 63, 64, 65 }[random.Next(8)];
            int[] input = [random.Next(1, 3), random.Next(1, 9), random.Next(1, 9), outputDepth * block * block];
            int valueSeed = random.Next();
            cases.Add(op, $"block {block} {S(input)}", () => DepthToSpaceModel(input, block, MixedValues(new Random(valueSeed), Count(input), 0.3)),
                NaNPayloads.Moved);
        }
        // Input words are their index with NaN, −0 and subnormal patterns: the output is a permutation of exactly those words.
        cases.Add(op, "every word moved unchanged", () =>
        {
            var words = Enumerable.Range(0, 180).Select(i => (uint)(i % 3 switch { 0 => 0x7F800001 + i, 1 => 0x80000000 + i, _ => 0xFFC00000 + i })).ToArray();
            return DepthToSpaceModel([1, 3, 5, 12], 2, words.Select(BitConverter.UInt32BitsToSingle).ToArray());
        }, NaNPayloads.Moved);
        cases.Add(op, "int32 input (not float32)", () =>
        {
            var m = new CaseModel();
            int x = m.Int32Input("x", [1, 2, 2, 8], Enumerable.Range(-16, 32).ToArray());
            int y = m.Output("y", [1, 4, 4, 2], TensorType.Int32);
            m.Op(BuiltinOperator.DepthToSpace, [x], [y], new DepthToSpaceOptions(2));
            return m.Done();
        }, NaNPayloads.Moved);
    }

    private static OpCaseData DepthToSpaceModel(int[] input, int block, float[] x)
    {
        var m = new CaseModel();
        int ti = m.Input("x", input, x);
        int to = m.Output("y", [input[0], input[1] * block, input[2] * block, input[3] / (block * block)]);
        m.Op(BuiltinOperator.DepthToSpace, [ti], [to], new DepthToSpaceOptions(block));
        return m.Done();
    }
}
