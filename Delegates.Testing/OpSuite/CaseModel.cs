using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Testing.OpSuite;

/// <summary>A <see cref="ModelBuilder"/> that records each graph input's values as it is added.</summary>
internal sealed class CaseModel
{
    private readonly List<float[]> _inputs = new();

    public ModelBuilder Builder { get; } = new();

    /// <summary>A float32 graph input holding <paramref name="values"/>.</summary>
    public int Input(string name, int[] shape, float[] values) => Input(name, TensorType.Float32, shape, values);

    /// <summary>A graph input of a 4-byte dtype; <paramref name="bits"/> are its element bit patterns.</summary>
    public int Input(string name, TensorType type, int[] shape, float[] bits)
    {
        if (bits.Length != OpValues.Count(shape)) throw new ArgumentException($"{name}: {bits.Length} values for shape {OpValues.Shape(shape)}");
        int t = Builder.AddTensor(name, type, shape);
        Builder.AddInput(t);
        _inputs.Add(bits);
        return t;
    }

    public int Int32Input(string name, int[] shape, int[] values) =>
        Input(name, TensorType.Int32, shape, MemoryMarshal.Cast<int, float>(values).ToArray());

    public int Const(string name, int[] shape, float[] values) => Builder.AddConstant(name, shape, values);

    public int Const(string name, int[] shape, int[] values) => Builder.AddConstant(name, shape, values);

    public int Int64Const(string name, int[] shape, long[] values) =>
        Builder.AddConstant(name, TensorType.Int64, shape, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>An intermediate float32 tensor.</summary>
    public int Tensor(string name, int[] shape, TensorType type = TensorType.Float32) => Builder.AddTensor(name, type, shape);

    /// <summary>A graph output.</summary>
    public int Output(string name, int[] shape, TensorType type = TensorType.Float32)
    {
        int t = Builder.AddTensor(name, type, shape);
        Builder.AddOutput(t);
        return t;
    }

    public void Op(BuiltinOperator op, int[] inputs, int[] outputs, OperatorOptions? options = null, int version = 1) =>
        Builder.AddOperator(op, inputs, outputs, options, version);

    public OpCaseData Done(float[][]? expected = null) => new(Builder.Build(), _inputs.ToArray(), expected);
}
