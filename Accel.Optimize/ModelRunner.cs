using System.Runtime.InteropServices;
using Accel.Delegates;
using Accel.Delegates.Cpu;

namespace Accel.Optimize;

/// <summary>
/// How the optimizer runs models: the CPU delegate's threads, and the memory limit of each interpreter
/// (<see cref="InterpreterOptions.MaxMemoryBytes"/>; at most two run at once, the original beside the model being
/// built or compared, so the optimizer's interpreters stay within twice it).
/// </summary>
internal readonly record struct RunSettings(int Threads, long MaxMemoryBytes);

/// <summary>Runs models on samples for calibration and for the report: float in, float (dequantized) out.</summary>
internal static class ModelRunner
{
    /// <summary>An interpreter on the CPU delegate (what it refuses, e.g. integer kernels, runs on the reference).</summary>
    public static Interpreter Create(Model model, RunSettings run, bool cpuDelegate = true)
    {
        var options = new InterpreterOptions { Threads = run.Threads, MaxMemoryBytes = run.MaxMemoryBytes };
        if (cpuDelegate) options.Delegates.Add(new DelegateSelection(new CpuDelegate(run.Threads)));
        var interpreter = new Interpreter(model, options);
        try
        {
            interpreter.AllocateTensors();
        }
        catch
        {
            interpreter.Dispose();
            throw;
        }
        return interpreter;
    }

    /// <summary>Sets every input from a float sample, quantizing for int8/uint8/int16 inputs with the input's parameters.</summary>
    public static void Feed(Interpreter interpreter, CalibrationSample sample)
    {
        if (sample.Inputs.Count != interpreter.InputCount)
            throw new OptimizationException($"Sample '{sample.Source}' has {sample.Inputs.Count} input arrays; the model has {interpreter.InputCount} inputs.");
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            var values = sample.Inputs[i];
            if (values.Length != tensor.ElementCount)
                throw new OptimizationException($"Sample '{sample.Source}' input {i} has {values.Length} values; '{tensor.Name}' [{string.Join(",", tensor.Shape.ToArray())}] needs {tensor.ElementCount}.");
            switch (tensor.Type)
            {
                case TensorType.Float32:
                    tensor.CopyFrom<float>(values);
                    break;
                case TensorType.Int8:
                case TensorType.UInt8:
                {
                    var p = new AffineParams(tensor.Quantization.Scale[0], (int)tensor.Quantization.ZeroPoint[0]);
                    var (qmin, qmax) = tensor.Type == TensorType.Int8 ? (-128, 127) : (0, 255);
                    var bytes = tensor.WritableBytes;
                    for (int k = 0; k < values.Length; k++)
                        bytes[k] = unchecked((byte)QuantizationMath.QuantizeValue(values[k], p, qmin, qmax));
                    break;
                }
                case TensorType.Int16:
                {
                    var p = new AffineParams(tensor.Quantization.Scale[0], (int)tensor.Quantization.ZeroPoint[0]);
                    var shorts = MemoryMarshal.Cast<byte, short>(tensor.WritableBytes);
                    for (int k = 0; k < values.Length; k++)
                        shorts[k] = (short)QuantizationMath.QuantizeValue(values[k], p, short.MinValue, short.MaxValue);
                    break;
                }
                default:
                    throw new OptimizationException($"Input '{tensor.Name}' is {tensor.Type.ToDisplayName()}; samples feed float32, int8, uint8 and int16 inputs.");
            }
        }
    }

    /// <summary>An output as floats: float32 as is, int8/uint8 dequantized (scale · (q − zero point)).</summary>
    public static float[] ReadFloat(Tensor tensor)
    {
        switch (tensor.Type)
        {
            case TensorType.Float32:
                return tensor.Read<float>().ToArray();
            case TensorType.Int8:
            case TensorType.UInt8:
            {
                float scale = tensor.Quantization.Scale[0];
                long zp = tensor.Quantization.ZeroPoint.Length > 0 ? tensor.Quantization.ZeroPoint[0] : 0;
                var bytes = tensor.Bytes;
                var result = new float[bytes.Length];
                for (int k = 0; k < bytes.Length; k++)
                    result[k] = scale * ((tensor.Type == TensorType.Int8 ? (sbyte)bytes[k] : bytes[k]) - zp);
                return result;
            }
            case TensorType.Int16:
            {
                float scale = tensor.Quantization.Scale[0];
                long zp = tensor.Quantization.ZeroPoint.Length > 0 ? tensor.Quantization.ZeroPoint[0] : 0;
                var values = tensor.Read<short>();
                var result = new float[values.Length];
                for (int k = 0; k < values.Length; k++) result[k] = scale * (values[k] - zp);
                return result;
            }
            default:
                throw new OptimizationException($"Output '{tensor.Name}' is {tensor.Type.ToDisplayName()}; the report compares float32, int8, uint8 and int16 outputs.");
        }
    }
}
