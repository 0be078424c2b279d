using System.Runtime.InteropServices;
using Accel.Kernels;

namespace Accel.Tests.Kernels;

/// <summary>
/// Runs one kernel on hand-made tensors without a model: tensors get native memory, a <see cref="KernelContext"/> is
/// built directly, Prepare runs, outputs are allocated to the shapes Prepare set, then Invoke runs.
/// </summary>
internal sealed unsafe class KernelTestHarness : IDisposable
{
    private readonly List<Tensor> _tensors = [];
    private readonly List<nint> _allocations = [];

    /// <summary>A constant (model-owned, read-only) tensor holding <paramref name="values"/>.</summary>
    public int Constant<T>(string name, TensorType type, int[] shape, ReadOnlySpan<T> values,
        QuantizationParameters? quantization = null, SparsityParameters? sparsity = null) where T : unmanaged
    {
        var tensor = NewTensor(name, type, shape, quantization, sparsity);
        Fill(tensor, MemoryMarshal.AsBytes(values));
        tensor.Storage = TensorStorage.ModelConstant;
        return tensor.Index;
    }

    public int Constant(string name, int[] shape, params float[] values) =>
        Constant<float>(name, TensorType.Float32, shape, values);

    /// <summary>A writable (arena) input tensor holding <paramref name="values"/>.</summary>
    public int Input<T>(string name, TensorType type, int[] shape, ReadOnlySpan<T> values,
        QuantizationParameters? quantization = null) where T : unmanaged
    {
        var tensor = NewTensor(name, type, shape, quantization, null);
        Fill(tensor, MemoryMarshal.AsBytes(values));
        tensor.Storage = TensorStorage.Arena;
        return tensor.Index;
    }

    public int Input(string name, int[] shape, params float[] values) =>
        Input<float>(name, TensorType.Float32, shape, values);

    /// <summary>An output tensor with no memory yet; its shape comes from Prepare.</summary>
    public int Output(string name, TensorType type = TensorType.Float32)
    {
        var tensor = NewTensor(name, type, [0], null, null);
        tensor.Storage = TensorStorage.Unallocated;
        return tensor.Index;
    }

    public Tensor this[int index] => _tensors[index];

    /// <summary>The output tensor of the latest <see cref="RunFloat"/>.</summary>
    public Tensor? LastOutput { get; private set; }

    public KernelContext Context(string operatorName, OperatorOptions? options, int[] inputs, int[] outputs,
        byte[]? customOptions = null, int version = 1) =>
        new(0, operatorName, version, options, customOptions ?? ReadOnlyMemory<byte>.Empty, inputs, outputs, _tensors.ToArray());

    /// <summary>Prepare, allocate every output (filled with a NaN-like garbage pattern), Invoke.</summary>
    public void Run(IKernel kernel, KernelContext context)
    {
        DefinedPrepare.Run(kernel, context);
        for (int i = 0; i < context.OutputCount; i++)
        {
            var output = context.Output(i);
            long bytes = output.ElementCount * output.Type.ElementSize();
            var memory = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes, 1));
            _allocations.Add((nint)memory);
            new Span<byte>(memory, (int)bytes).Fill(0xA5); // garbage: a kernel must write every element
            output.Data = memory;
            output.DataLength = bytes;
            output.ByteSize = bytes;
            output.Storage = TensorStorage.Arena;
        }
        kernel.Invoke(context);
    }

    /// <summary>Builds a context for one node, runs the kernel, and returns output 0 as floats.</summary>
    public float[] RunFloat(IKernel kernel, string operatorName, OperatorOptions? options, int[] inputs,
        byte[]? customOptions = null)
    {
        int output = Output("output");
        Run(kernel, Context(operatorName, options, inputs, [output], customOptions));
        LastOutput = _tensors[output];
        return LastOutput.Read<float>().ToArray();
    }

    private Tensor NewTensor(string name, TensorType type, int[] shape, QuantizationParameters? quantization,
        SparsityParameters? sparsity)
    {
        var tensor = new Tensor(_tensors.Count, name, type, shape, shape, quantization ?? QuantizationParameters.None,
            sparsity, isVariable: false);
        _tensors.Add(tensor);
        return tensor;
    }

    private void Fill(Tensor tensor, ReadOnlySpan<byte> bytes)
    {
        var memory = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes.Length, 1));
        _allocations.Add((nint)memory);
        bytes.CopyTo(new Span<byte>(memory, bytes.Length));
        tensor.Data = memory;
        tensor.DataLength = bytes.Length;
        tensor.ByteSize = bytes.Length;
    }

    public void Dispose()
    {
        foreach (nint memory in _allocations) NativeMemory.Free((void*)memory);
        _allocations.Clear();
    }
}

/// <summary>Deterministic test data and float comparisons shared by the kernel tests.</summary>
internal static class KernelTestData
{
    /// <summary>Uniform values in [-scale, scale], reproducible from <paramref name="seed"/>.</summary>
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary>Clamp of a fused activation, computed independently of ActivationRange.</summary>
    public static double Activate(double x, ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.None => x,
        ActivationFunctionType.Relu => Math.Max(x, 0),
        ActivationFunctionType.ReluN1To1 => Math.Clamp(x, -1, 1),
        ActivationFunctionType.Relu6 => Math.Clamp(x, 0, 6),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>Asserts |actual - expected| ≤ 1e-5 × max(1, |expected|) elementwise.</summary>
    public static void AssertClose(float[] actual, double[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected[i]));
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"element {i}");
        }
    }

    /// <summary>Asserts bit equality elementwise (so -0 vs +0 and NaN payloads count).</summary>
    public static void AssertBitEqual(float[] actual, float[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
            Assert.That(BitConverter.SingleToUInt32Bits(actual[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(expected[i])),
                $"element {i}: {actual[i]:R} vs {expected[i]:R}");
    }
}
