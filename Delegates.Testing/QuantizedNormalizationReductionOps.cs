using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The remaining integer forms on a device delegate (docs/numerics.md §Quantized execution, "Backends"): on int8 and
/// uint8 L2_NORMALIZATION (TFLite's fixed-point inverse square root) and LOG_SOFTMAX (the float-table form with
/// SpecMath.Log), on int8 the quantized REDUCE_PROD; on int16 SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN. Inputs and
/// outputs are the raw integer tensors, compared byte for byte with the reference.
/// </summary>
public static class QuantizedNormalizationReductionOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>
    /// The 8-bit network: L2_NORMALIZATION of x [3, 17] (scale 0.05) onto 1/128, LOG_SOFTMAX of x onto 16/256 and,
    /// on int8, REDUCE_PROD of p [2, 5, 3] over axis 1 (scale 0.02 onto 0.5).
    /// </summary>
    public static Model Build8(TensorType type)
    {
        bool signed = type == TensorType.Int8;
        long Zero(long int8ZeroPoint) => signed ? int8ZeroPoint : int8ZeroPoint + 128;
        var mb = new ModelBuilder($"{type.ToDisplayName()} L2_NORMALIZATION, LOG_SOFTMAX, REDUCE_PROD");
        int x = mb.AddTensor("x", type, [3, 17], Q(0.05f, Zero(-7)));
        int l2 = mb.AddTensor("l2_normalization", type, [3, 17], Q(1f / 128, Zero(0)));
        mb.AddOperator(BuiltinOperator.L2Normalization, [x], [l2], new L2NormOptions(ActivationFunctionType.None), 2);
        mb.AddOutput(l2);
        int logSoftmax = mb.AddTensor("log_softmax", type, [3, 17], Q(16f / 256, signed ? 127 : 255));
        mb.AddOperator(BuiltinOperator.LogSoftmax, [x], [logSoftmax], version: 2);
        mb.AddOutput(logSoftmax);
        mb.AddInput(x);
        if (signed)
        {
            int p = mb.AddTensor("p", type, [2, 5, 3], Q(0.02f, 4));
            int axes = mb.AddConstant("axes", [1], [1]);
            int product = mb.AddTensor("reduce_prod", type, [2, 3], Q(0.5f, -2));
            mb.AddOperator(BuiltinOperator.ReduceProd, [p, axes], [product], new ReducerOptions(false), 2);
            mb.AddOutput(product);
            mb.AddInput(p);
        }
        return Model.FromBytes(mb.Build());
    }

    /// <summary>The int16 network: SUM, REDUCE_MAX and REDUCE_MIN of x [2, 3, 4, 5] over axes {1, 2}, REDUCE_PROD over axis 3.</summary>
    public static Model Build16()
    {
        var mb = new ModelBuilder("int16 SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN");
        int x = mb.AddTensor("x", TensorType.Int16, [2, 3, 4, 5], Q(0.001f, 0));
        int spatial = mb.AddConstant("spatial", [2], [1, 2]);
        int last = mb.AddConstant("last", [1], [3]);
        void Reduce(BuiltinOperator op, int axes, int[] shape, float scale, int version)
        {
            int y = mb.AddTensor(op.ToString(), TensorType.Int16, shape, Q(scale, 0));
            mb.AddOperator(op, [x, axes], [y], new ReducerOptions(false), version);
            mb.AddOutput(y);
        }
        Reduce(BuiltinOperator.Sum, spatial, [2, 5], 0.004f, 2);
        Reduce(BuiltinOperator.ReduceMax, spatial, [2, 5], 0.001f, 3);
        Reduce(BuiltinOperator.ReduceMin, spatial, [2, 5], 0.001f, 3);
        Reduce(BuiltinOperator.ReduceProd, last, [2, 3, 4], 0.0005f, 2);
        mb.AddInput(x);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>Every node on the delegate, every output byte the reference's, on int8, uint8 and int16.</summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
        {
            var model = type == TensorType.Int16 ? Build16() : Build8(type);
            var inputs = RandomInputs(model, new Random(37), type);
            var expected = Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = Run(model, inputs, accelDelegate, out var plan);
            string name = $"{type.ToDisplayName()} L2_NORMALIZATION / LOG_SOFTMAX / SUM / REDUCE_PROD / REDUCE_MAX / REDUCE_MIN network";
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs on {accelDelegate.Name}");
                Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(3), $"{name}: degenerate output {o}");
            }
        }
    }

    /// <summary>
    /// Random inputs: uniform bytes for 8-bit data; int16 values in ±2,000 (so REDUCE_PROD's five-element products and
    /// the sums stay within range rather than all saturating).
    /// </summary>
    private static byte[][] RandomInputs(Model model, Random random, TensorType type)
    {
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        var inputs = new byte[interpreter.InputCount][];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new byte[interpreter.GetInputTensor(i).ByteSize];
            if (type != TensorType.Int16)
            {
                random.NextBytes(inputs[i]);
                continue;
            }
            for (int e = 0; e < inputs[i].Length / 2; e++)
                BitConverter.TryWriteBytes(inputs[i].AsSpan(2 * e), (short)random.Next(-2000, 2001));
        }
        return inputs;
    }

    /// <summary>Runs twice (the second from a warm partition) and returns every output's bytes.</summary>
    private static byte[][] Run(Model model, byte[][] inputs, IAccelDelegate? accelDelegate, out ExecutionPlan? plan)
    {
        var options = new InterpreterOptions();
        if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        byte[][] outputs = [];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes(inputs[i]);
            interpreter.Invoke();
            outputs = new byte[interpreter.OutputCount][];
            for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.GetOutputTensor(o).Bytes.ToArray();
        }
        return outputs;
    }
}
