using System.Runtime.CompilerServices;

namespace Accel.Kernels.Reference;

/// <summary>
/// One elementwise binary operation from two <typeparamref name="T"/> operands to a <typeparamref name="TResult"/>
/// (a comparison's bool, …); a struct so the loop inlines it.
/// </summary>
public interface IBinaryElementOp<T, TResult> where T : unmanaged where TResult : unmanaged
{
    TResult Apply(T a, T b);
}

/// <summary>One elementwise binary operation whose result has the operands' type (with its fused activation).</summary>
public interface IBinaryElementOp<T> : IBinaryElementOp<T, T> where T : unmanaged;

/// <summary>
/// NumPy broadcasting of two operands to one output, as TFLite's binary ops do it (any rank): shapes are aligned at
/// their last dimension, missing leading dimensions count as 1, and each pair of dimensions must be equal or one of
/// them 1. The output is visited in row-major order; an operand's stride is 0 along the dimensions it broadcasts.
/// Built in Prepare; <see cref="Apply{T, TResult, TOp}"/> allocates nothing.
/// </summary>
public sealed class BroadcastPlan
{
    private readonly int[] _dims;
    private readonly int[] _strideA;
    private readonly int[] _strideB;
    private readonly int[] _counter;

    private BroadcastPlan(int[] dims, int[] strideA, int[] strideB)
    {
        _dims = dims;
        _strideA = strideA;
        _strideB = strideB;
        _counter = new int[dims.Length];
    }

    /// <summary>The broadcast output shape.</summary>
    public ReadOnlySpan<int> OutputShape => _dims;

    /// <summary>Element strides of the first operand along each output dimension (0 where it broadcasts).</summary>
    public ReadOnlySpan<int> StridesA => _strideA;

    /// <summary>Element strides of the second operand along each output dimension (0 where it broadcasts).</summary>
    public ReadOnlySpan<int> StridesB => _strideB;

    /// <summary>Plans <paramref name="a"/> ⊕ <paramref name="b"/>; a clear error when the shapes do not broadcast.</summary>
    public static BroadcastPlan Create(KernelContext context, Tensor a, Tensor b)
    {
        if (!TryCreate(a.Shape, b.Shape, out var plan))
            throw context.Error(
                $"shapes [{string.Join(",", a.Shape.ToArray())}] ('{a.Name}') and [{string.Join(",", b.Shape.ToArray())}] " +
                $"('{b.Name}') do not broadcast: aligned from the last dimension, each pair must be equal or contain a 1");
        return plan!;
    }

    public static bool TryCreate(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out BroadcastPlan? plan)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        var strideA = new int[rank];
        var strideB = new int[rank];
        int runA = 1, runB = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                plan = null;
                return false;
            }
            // A dimension of 1 against another size broadcasts (stride 0); 1 against 0 gives 0, as NumPy does.
            dims[d] = da == 1 ? db : da;
            strideA[d] = da == dims[d] && da != 1 ? runA : 0;
            strideB[d] = db == dims[d] && db != 1 ? runB : 0;
            runA *= da;
            runB *= db;
        }
        plan = new BroadcastPlan(dims, strideA, strideB);
        return true;
    }

    /// <summary>output[i] = op(a[ia], b[ib]) for every output index i in row-major order.</summary>
    [MethodImpl(JitHints.Hot)]
    public void Apply<T, TResult, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<TResult> output, TOp op)
        where T : unmanaged where TResult : unmanaged where TOp : struct, IBinaryElementOp<T, TResult>
    {
        int rank = _dims.Length;
        if (rank == 0)
        {
            output[0] = op.Apply(a[0], b[0]);
            return;
        }
        int total = 1;
        foreach (int d in _dims) total *= d;
        if (total == 0) return;

        int inner = _dims[rank - 1], innerA = _strideA[rank - 1], innerB = _strideB[rank - 1];
        Array.Clear(_counter);
        int offsetA = 0, offsetB = 0, o = 0;
        while (o < total)
        {
            for (int i = 0; i < inner; i++)
                output[o++] = op.Apply(a[offsetA + i * innerA], b[offsetB + i * innerB]);
            Advance(ref offsetA, ref offsetB);
        }
    }

    /// <summary>Odometer step over all dimensions but the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Advance(ref int offsetA, ref int offsetB)
    {
        for (int d = _dims.Length - 2; d >= 0; d--)
        {
            _counter[d]++;
            offsetA += _strideA[d];
            offsetB += _strideB[d];
            if (_counter[d] < _dims[d]) return;
            offsetA -= _strideA[d] * _dims[d];
            offsetB -= _strideB[d] * _dims[d];
            _counter[d] = 0;
        }
    }
}

/// <summary>Checks shared by every binary elementwise operator with NumPy broadcasting (Prepare only).</summary>
internal static class BinaryElementwise
{
    /// <summary>
    /// Two inputs of one dtype from <paramref name="types"/> (anything else, quantized dtypes included, is rejected
    /// naming the tensor and its dtype) and one output of <paramref name="outputType"/> (null: the inputs' dtype);
    /// returns the broadcast plan and sets the output shape.
    /// </summary>
    public static BroadcastPlan Prepare(KernelContext context, IReadOnlyList<TensorType> types, TensorType? outputType = null)
    {
        context.ExpectArity(2, 2, 1);
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (!types.Contains(a.Type))
            throw context.Error($"input '{a.Name}' is {a.Type.ToDisplayName()}; this kernel supports {UnaryElementwise.Describe(types)} only");
        context.ExpectType(b, a.Type, "input 1");
        context.ExpectType(output, outputType ?? a.Type, "output");
        var plan = BroadcastPlan.Create(context, a, b);
        context.SetOutputShape(0, plan.OutputShape);
        return plan;
    }
}

/// <summary>Checks and settings shared by ADD, SUB and MUL (Prepare only).</summary>
internal static class BinaryArithmetic
{
    private static readonly TensorType[] Types = [TensorType.Float32, TensorType.Int32];

    /// <summary>
    /// Two inputs and one output of the same dtype, float32 or int32 (other dtypes, quantized ones included, are
    /// rejected); returns the broadcast plan and sets the output shape.
    /// </summary>
    public static BroadcastPlan Prepare(KernelContext context) => BinaryElementwise.Prepare(context, Types);

    /// <summary>The fused activation of options that may be absent (TFLite then uses NONE).</summary>
    public static ActivationFunctionType Activation<TOptions>(KernelContext context, Func<TOptions, ActivationFunctionType> read)
        where TOptions : OperatorOptions =>
        context.Options is null ? ActivationFunctionType.None : read(context.OptionsAs<TOptions>());
}

/// <summary>
/// The fused-activation clamp for int32 outputs, as TFLite's CalculateActivationRange&lt;int32&gt;: NONE = the whole
/// range, RELU = [0, max], RELU_N1_TO_1 = [−1, 1], RELU6 = [0, 6].
/// </summary>
public readonly struct Int32ActivationRange
{
    public Int32ActivationRange(int min, int max)
    {
        Min = min;
        Max = max;
    }

    public int Min { get; }
    public int Max { get; }

    public static Int32ActivationRange For(ActivationFunctionType activation, KernelContext context) => activation switch
    {
        ActivationFunctionType.None => new(int.MinValue, int.MaxValue),
        ActivationFunctionType.Relu => new(0, int.MaxValue),
        ActivationFunctionType.ReluN1To1 => new(-1, 1),
        ActivationFunctionType.Relu6 => new(0, 6),
        _ => throw context.Error($"fused activation {activation} is not supported for int32 outputs"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int x) => x < Min ? Min : (x > Max ? Max : x);
}
