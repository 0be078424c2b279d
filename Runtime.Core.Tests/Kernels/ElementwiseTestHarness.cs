using System.Runtime.InteropServices;
using Accel.Kernels;

namespace Accel.Tests.Kernels;

/// <summary>
/// Drives one elementwise/shape kernel on hand-made tensors, without a model: every tensor gets native memory, a
/// <see cref="KernelContext"/> is built directly, Prepare runs, outputs get memory for the shapes Prepare set (filled
/// with a garbage pattern so unwritten elements show), then Invoke runs. Dispose frees the memory.
/// </summary>
internal sealed unsafe class ElementwiseTestHarness : IDisposable
{
    private readonly List<Tensor> _tensors = [];
    private readonly List<nint> _allocations = [];

    public Tensor this[int index] => _tensors[index];

    /// <summary>A writable (arena) tensor holding <paramref name="values"/>.</summary>
    public int Input<T>(int[] shape, T[] values, TensorType? type = null, string? name = null) where T : unmanaged =>
        AddFilled(name ?? $"input{_tensors.Count}", type ?? TypeOf<T>(), shape, values, TensorStorage.Arena);

    public int Input(int[] shape, params float[] values) => Input<float>(shape, values);

    /// <summary>A read-only (model constant) tensor holding <paramref name="values"/>.</summary>
    public int Constant<T>(int[] shape, T[] values, TensorType? type = null, string? name = null) where T : unmanaged =>
        AddFilled(name ?? $"const{_tensors.Count}", type ?? TypeOf<T>(), shape, values, TensorStorage.ModelConstant);

    /// <summary>A tensor without memory (as a not-yet-computed activation looks at Prepare time).</summary>
    public int Unallocated(int[] shape, TensorType type = TensorType.Float32, string? name = null)
    {
        var tensor = NewTensor(name ?? $"pending{_tensors.Count}", type, shape);
        tensor.Storage = TensorStorage.Unallocated;
        return tensor.Index;
    }

    /// <summary>An output tensor; its shape is set by Prepare.</summary>
    public int Output(TensorType type = TensorType.Float32, string? name = null) =>
        Unallocated([0], type, name ?? $"output{_tensors.Count}");

    public KernelContext Context(string operatorName, OperatorOptions? options, int[] inputs, int[] outputs, int version = 1) =>
        new(0, operatorName, version, options, ReadOnlyMemory<byte>.Empty, inputs, outputs, _tensors.ToArray());

    /// <summary>Prepare, allocate the outputs (garbage-filled), Invoke.</summary>
    public void Run(IKernel kernel, KernelContext context)
    {
        DefinedPrepare.Run(kernel, context);
        for (int i = 0; i < context.OutputCount; i++)
        {
            var output = context.Output(i);
            long bytes = output.ElementCount * output.Type.ElementSize();
            output.Data = Allocate(bytes);
            new Span<byte>(output.Data, (int)bytes).Fill(0xA5);
            output.DataLength = bytes;
            output.ByteSize = bytes;
            output.Storage = TensorStorage.Arena;
        }
        kernel.Invoke(context);
    }

    /// <summary>Runs a one-output node and returns its output tensor.</summary>
    public Tensor Run(IKernel kernel, string operatorName, OperatorOptions? options, params int[] inputs)
    {
        int output = Output(_tensors[inputs.First(i => i >= 0)].Type);
        Run(kernel, Context(operatorName, options, inputs, [output]));
        return _tensors[output];
    }

    /// <summary>Runs a one-output node whose output dtype differs from its inputs' (a comparison's bool).</summary>
    public Tensor Run(IKernel kernel, string operatorName, TensorType outputType, params int[] inputs)
    {
        int output = Output(outputType);
        Run(kernel, Context(operatorName, null, inputs, [output]));
        return _tensors[output];
    }

    /// <summary>Runs a one-output float node and returns its values.</summary>
    public float[] RunFloat(IKernel kernel, string operatorName, OperatorOptions? options, params int[] inputs) =>
        Run(kernel, operatorName, options, inputs).Read<float>().ToArray();

    /// <summary>Runs only Prepare (for tests of validation errors and output shapes).</summary>
    public Tensor Prepare(IKernel kernel, string operatorName, OperatorOptions? options, params int[] inputs)
    {
        int output = Output(_tensors[inputs.First(i => i >= 0)].Type);
        DefinedPrepare.Run(kernel, Context(operatorName, options, inputs, [output]));
        return _tensors[output];
    }

    private int AddFilled<T>(string name, TensorType type, int[] shape, T[] values, TensorStorage storage) where T : unmanaged
    {
        var tensor = NewTensor(name, type, shape);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        tensor.Data = Allocate(bytes.Length);
        bytes.CopyTo(new Span<byte>(tensor.Data, bytes.Length));
        tensor.DataLength = bytes.Length;
        tensor.ByteSize = bytes.Length;
        tensor.Storage = storage;
        return tensor.Index;
    }

    private Tensor NewTensor(string name, TensorType type, int[] shape)
    {
        var tensor = new Tensor(_tensors.Count, name, type, shape, shape, QuantizationParameters.None, null, isVariable: false);
        _tensors.Add(tensor);
        return tensor;
    }

    private byte* Allocate(long bytes)
    {
        var memory = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes, 1));
        _allocations.Add((nint)memory);
        return memory;
    }

    private static TensorType TypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? TensorType.Float32
        : typeof(T) == typeof(int) ? TensorType.Int32
        : typeof(T) == typeof(long) ? TensorType.Int64
        : typeof(T) == typeof(sbyte) ? TensorType.Int8
        : typeof(T) == typeof(byte) ? TensorType.UInt8
        : typeof(T) == typeof(short) ? TensorType.Int16
        : typeof(T) == typeof(Half) ? TensorType.Float16
        : throw new ArgumentException($"no default dtype for {typeof(T).Name}; pass one");

    public void Dispose()
    {
        foreach (nint memory in _allocations) NativeMemory.Free((void*)memory);
        _allocations.Clear();
    }
}

/// <summary>Independent helpers for the elementwise kernel tests: shapes, random data, bit comparisons.</summary>
internal static class Elementwise
{
    public static int Count(int[] shape) => shape.Aggregate(1, (a, d) => a * d);

    /// <summary>Uniform values in [−scale, scale] from a seed.</summary>
    public static float[] Random(int count, int seed, float scale = 4f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    /// <summary>Row-major coordinates of a flat index.</summary>
    public static int[] Coordinates(int flat, int[] shape)
    {
        var coordinates = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            coordinates[d] = flat % shape[d];
            flat /= shape[d];
        }
        return coordinates;
    }

    /// <summary>Row-major flat index of coordinates.</summary>
    public static int Flat(int[] coordinates, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + coordinates[d];
        return flat;
    }

    /// <summary>
    /// Broadcast shape triples (a, b, out) from equal shapes through scalars, one- and two-sided broadcasts, rank
    /// mismatches, rank 6 and rank 7, and an empty dimension.
    /// </summary>
    public static readonly (int[] A, int[] B, int[] Out)[] BroadcastCases =
    [
        ([2, 3, 4], [2, 3, 4], [2, 3, 4]),            // same shape
        ([1, 4, 3, 7], [1, 1, 1, 7], [1, 4, 3, 7]),   // per-channel
        ([1, 1, 1, 7], [1, 4, 3, 7], [1, 4, 3, 7]),   // per-channel on the left
        ([2, 3, 5], [], [2, 3, 5]),                   // scalar (rank 0)
        ([], [3, 1], [3, 1]),
        ([2, 3, 4, 5], [4, 1], [2, 3, 4, 5]),         // rank mismatch, inner broadcast
        ([3, 1, 5], [1, 4, 1], [3, 4, 5]),            // both sides broadcast
        ([2, 1, 3, 1, 2, 3], [1, 2, 1, 4, 1, 3], [2, 2, 3, 4, 2, 3]), // rank 6, alternating
        ([1, 1, 1, 1, 1, 1], [2, 3, 1, 2, 2, 2], [2, 3, 1, 2, 2, 2]), // rank 6 against a rank-6 scalar
        ([1, 2, 1, 2, 1, 2, 1], [2, 1, 2, 1, 2, 1, 2], [2, 2, 2, 2, 2, 2, 2]), // rank 7
        ([0, 3], [1, 3], [0, 3]),                     // empty
    ];

    /// <summary>
    /// Independent NumPy broadcast: for each output coordinate, each operand's coordinate (right-aligned; 0 where its
    /// dimension is 1), then <paramref name="f"/>.
    /// </summary>
    public static TOut[] Broadcast<T, TOut>(T[] a, int[] shapeA, T[] b, int[] shapeB, int[] shapeOut, Func<T, T, TOut> f)
    {
        var result = new TOut[Count(shapeOut)];
        for (int i = 0; i < result.Length; i++)
        {
            int[] c = Coordinates(i, shapeOut);
            result[i] = f(a[Pick(c, shapeA)], b[Pick(c, shapeB)]);
        }
        return result;

        static int Pick(int[] outCoordinates, int[] shape)
        {
            var c = new int[shape.Length];
            for (int d = 0; d < shape.Length; d++)
                c[d] = shape[d] == 1 ? 0 : outCoordinates[d + outCoordinates.Length - shape.Length];
            return Flat(c, shape);
        }
    }

    /// <summary>Random floats with NaN, ±∞ and ±0 mixed in (one in four), reproducible from a seed.</summary>
    public static float[] RandomWithSpecials(int count, int seed)
    {
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1f, -1f];
        var random = new Random(seed);
        var values = Random(count, seed + 1000);
        for (int i = 0; i < count; i++)
            if (random.Next(4) == 0) values[i] = specials[random.Next(specials.Length)];
        return values;
    }

    public static double Activate(double x, ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.None => x,
        ActivationFunctionType.Relu => x < 0 ? 0 : x,
        ActivationFunctionType.ReluN1To1 => x < -1 ? -1 : (x > 1 ? 1 : x),
        ActivationFunctionType.Relu6 => x < 0 ? 0 : (x > 6 ? 6 : x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static readonly ActivationFunctionType[] ClampActivations =
    [
        ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6,
    ];

    /// <summary>Bit-for-bit equality, so −0 vs +0 counts.</summary>
    public static void AssertBitEqual(ReadOnlySpan<float> actual, IReadOnlyList<float> expected, string what = "")
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Count), $"{what} element count");
        for (int i = 0; i < expected.Count; i++)
        {
            if (BitConverter.SingleToUInt32Bits(actual[i]) != BitConverter.SingleToUInt32Bits(expected[i]))
                Assert.Fail($"{what} element {i}: got {actual[i]:R} (0x{BitConverter.SingleToUInt32Bits(actual[i]):X8}), " +
                            $"expected {expected[i]:R} (0x{BitConverter.SingleToUInt32Bits(expected[i]):X8})");
        }
    }

    /// <summary>
    /// Float32 values that exercise the exact operators: NaN, ±∞, ±0, the smallest subnormals, ±MaxValue, values at and
    /// next to .5 and integral values around 2²³ (where floats stop having a fraction).
    /// </summary>
    public static readonly float[] SpecialFloats =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
        float.MaxValue, -float.MaxValue, 1e-30f, -1e-30f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f, -0.49999997f,
        0.50000006f, -0.50000006f, 1f, -1f, 0.3f, -0.3f, 0.7f, -0.7f, 8388607.5f, -8388607.5f, 8388606.5f, 8388608f,
        16777217f, 1e10f, -1e10f, 1.8446744e19f, 3e38f,
    ];

    /// <summary>Bit-for-bit equality, except that any NaN matches any NaN (docs/numerics.md: NaN payloads are unspecified).</summary>
    public static void AssertSame(ReadOnlySpan<float> actual, IReadOnlyList<float> expected, IReadOnlyList<float>? inputs = null)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Count), "element count");
        for (int i = 0; i < expected.Count; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i])) continue;
            if (BitConverter.SingleToUInt32Bits(actual[i]) != BitConverter.SingleToUInt32Bits(expected[i]))
                Assert.Fail($"element {i}{(inputs is null ? "" : $" (input {inputs[i]:R})")}: got {actual[i]:R} " +
                            $"(0x{BitConverter.SingleToUInt32Bits(actual[i]):X8}), expected {expected[i]:R} (0x{BitConverter.SingleToUInt32Bits(expected[i]):X8})");
        }
    }

    /// <summary>|actual − expected| ≤ tolerance · max(1, |expected|) elementwise.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, IReadOnlyList<double> expected, double tolerance, string what = "")
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Count), $"{what} element count");
        for (int i = 0; i < expected.Count; i++)
        {
            double allowed = tolerance * Math.Max(1, Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed))
                Assert.Fail($"{what} element {i}: got {actual[i]:R}, expected {expected[i]:R} (± {allowed:E2})");
        }
    }
}
