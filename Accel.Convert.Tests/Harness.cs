using Accel.Delegates;
using Accel.Delegates.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Accel.Conversion.Tests;

/// <summary>Runs an ONNX model in ONNX Runtime and its conversion in Accel on the same inputs, and compares.</summary>
internal static class Harness
{
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    public static Dictionary<string, (int[] Shape, float[] Data)> OnnxRuntime(byte[] onnx, Dictionary<string, (int[] Shape, float[] Data)> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(onnx, options);
        var feeds = inputs.Select(kv => NamedOnnxValue.CreateFromTensor(kv.Key, new DenseTensor<float>(kv.Value.Data, kv.Value.Shape))).ToList();
        using var results = session.Run(feeds);
        // Integer outputs (ArgMax indices) are compared as floats: small integers are exact.
        return results.ToDictionary(r => r.Name, r => r.ElementType == TensorElementType.Int64
            ? (r.AsTensor<long>().Dimensions.ToArray(), r.AsTensor<long>().ToArray().Select(v => (float)v).ToArray())
            : (r.AsTensor<float>().Dimensions.ToArray(), r.AsTensor<float>().ToArray()));
    }

    /// <summary>Accel's outputs by signature name, in ONNX layout (the converter's default I/O layout).</summary>
    public static Dictionary<string, (int[] Shape, float[] Data)> Accel(byte[] tflite, Dictionary<string, (int[] Shape, float[] Data)> inputs, bool cpu = false)
    {
        using var model = Model.FromBytes(tflite);
        var options = new InterpreterOptions();
        if (cpu) options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var name = interpreter.GetInputTensor(i).Name;
            interpreter.SetInput<float>(i, inputs[name].Data);
        }
        interpreter.Invoke();
        var r = new Dictionary<string, (int[], float[])>();
        for (int i = 0; i < interpreter.OutputCount; i++)
        {
            var t = interpreter.GetOutputTensor(i);
            r[t.Name] = (t.Shape.ToArray(), t.Type == TensorType.Int64
                ? interpreter.Output<long>(i).ToArray().Select(v => (float)v).ToArray()
                : interpreter.Output<float>(i).ToArray());
        }
        return r;
    }

    public static double RelativeL2(float[] expected, float[] actual)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        return den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den);
    }

    /// <summary>Converts, runs both, asserts every output's relative L2 error is within the tolerance; returns the result.</summary>
    public static ConversionResult Check(byte[] onnx, Dictionary<string, (int[] Shape, float[] Data)> inputs, double tolerance = 1e-5,
        ConvertOptions? options = null, bool cpu = true)
    {
        var result = OnnxConverter.Convert(onnx, options ?? new ConvertOptions());
        var expected = OnnxRuntime(onnx, inputs);
        foreach (bool onCpu in cpu ? new[] { false, true } : new[] { false })
        {
            var actual = Accel(result.Tflite, inputs, onCpu);
            foreach (var (name, (shape, data)) in expected)
            {
                Assert.That(actual.ContainsKey(name), $"output '{name}' is missing; outputs: {string.Join(", ", actual.Keys)}");
                Assert.That(actual[name].Shape, Is.EqualTo(shape), $"shape of '{name}'");
                double err = RelativeL2(data, actual[name].Data);
                Assert.That(err, Is.LessThanOrEqualTo(tolerance), $"'{name}' on {(onCpu ? "cpu" : "reference")}: relative L2 {err:E3}");
            }
        }
        return result;
    }

    public static Dictionary<string, (int[] Shape, float[] Data)> One(string name, int[] shape, int seed = 1, float scale = 1f)
        => new() { [name] = (shape, Random(shape.Aggregate(1, (a, b) => a * b), seed, scale)) };
}
