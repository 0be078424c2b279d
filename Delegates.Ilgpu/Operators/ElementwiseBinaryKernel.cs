using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The float32 binary element-wise ops with the definition's broadcast (its <see cref="BroadcastPlan"/>, laid out for
/// operands up to rank 6), then a clamp: ADD, SUB, MUL (one binary32 add, subtract or multiply, then the definition's
/// fused clamp, the reference's own <see cref="ActivationRange.Apply"/>, so NaN and −0 behave identically); MAXIMUM and
/// MINIMUM (the reference's selection <c>a &gt; b ? a : b</c> / <c>a &lt; b ? a : b</c>, operand order kept: the second
/// operand wins ties and unordered comparisons); SQUARED_DIFFERENCE (d = a − b, then d · d, both through the device
/// arithmetic: rounded separately, never fused on CUDA). The last three have no activation: their clamp is to
/// [−∞, +∞], which passes every value. All share one kernel; the operation is an argument. int32 runs
/// <see cref="Int32Kernel"/> (wrapping arithmetic, the int32 activation clamp); int64 is refused by the delegate.
/// </summary>
[OpCodes(BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul)]
internal sealed class ElementwiseBinaryKernel : IIlgpuKernel
{
    public const int OpAdd = 0;
    public const int OpMul = 1;
    public const int OpSub = 2;
    public const int OpMaximum = 3;
    public const int OpMinimum = 4;
    public const int OpSquaredDifference = 5;
    public const int OpDivide = 6;

    // MAXIMUM, MINIMUM and SQUARED_DIFFERENCE are ElementwiseSelectionKernel's (these kernels, no 8-bit path).
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types];

    public NodeSupport Supports(DelegateNode node) =>
        QuantizedKernels.IsQuantized(node) ? QuantizedKernels.SupportsBinary(node) : SupportsRank(node, Operands(node).Plan);

    /// <summary>Plans up to rank 6 (the kernel's layout).</summary>
    public static NodeSupport SupportsRank(DelegateNode node, BroadcastPlan plan) =>
        plan.OutputShape.Length > Broadcast6.MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank > {Broadcast6.MaxRank} (the kernel's layout has six dimensions)")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (QuantizedKernels.IsQuantized(node))
        {
            QuantizedKernels.Binary(node, c, node.ParamsAs<BinaryArithmeticParams>());
            return;
        }
        CompileFloatOrInt32(node, c);
    }

    /// <summary>The float32 and int32 ops of this kernel and of <see cref="ElementwiseSelectionKernel"/>.</summary>
    internal static void CompileFloatOrInt32(DelegateNode node, IlgpuCompilation c)
    {
        var (broadcast, range) = Operands(node);
        int op = node.Builtin switch
        {
            BuiltinOperator.Add => OpAdd,
            BuiltinOperator.Sub => OpSub,
            BuiltinOperator.Mul => OpMul,
            BuiltinOperator.Maximum => OpMaximum,
            BuiltinOperator.Minimum => OpMinimum,
            BuiltinOperator.SquaredDifference => OpSquaredDifference,
            _ => throw new InvalidOperationException($"{node.Code.Name} is not a binary element-wise op"),
        };
        if (node.Inputs[0]!.Type == TensorType.Int32)
        {
            LaunchInt32(node, c, broadcast, op, node.Params is BinaryArithmeticParams p ? p.Int32Activation : new Int32ActivationRange(int.MinValue, int.MaxValue));
            return;
        }
        Launch(node, c, broadcast, op, range);
    }

    /// <summary>Loads <see cref="Int32Kernel"/>: the buffers' words viewed as int32.</summary>
    internal static void LaunchInt32(DelegateNode node, IlgpuCompilation c, BroadcastPlan broadcast, int op, Int32ActivationRange range)
    {
        var plan = Broadcast6.Of(broadcast);
        var a = c.View(node.Inputs[0]!).Cast<int>();
        var b = c.View(node.Inputs[1]!).Cast<int>();
        var output = c.View(node.Outputs[0]).Cast<int>();
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<int>, ArrayView<int>, ArrayView<int>, Broadcast6, int, Int32ActivationRange, int, int>(Int32Kernel);
        c.Add(() => kernel(chunks, a, b, output, plan, op, range, total, chunkSize), chunks);
    }

    /// <summary>
    /// The int32 ops: ADD, SUB, MUL wrapping (the low 32 bits, as the reference's unchecked operators), MAXIMUM and
    /// MINIMUM the reference's selections, SQUARED_DIFFERENCE wrapping twice, DIV <see cref="TruncatedDivide"/> (from
    /// <see cref="DivKernel"/>); then the int32 activation clamp.
    /// </summary>
    public static void Int32Kernel(Index1D chunk, ArrayView<int> a, ArrayView<int> b, ArrayView<int> output, Broadcast6 plan, int op,
        Int32ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            int x = a[ia];
            int y = b[ib];
            int value;
            if (op == OpAdd) value = unchecked(x + y);
            else if (op == OpSub) value = unchecked(x - y);
            else if (op == OpMul) value = unchecked(x * y);
            else if (op == OpMaximum) value = x > y ? x : y;
            else if (op == OpMinimum) value = x < y ? x : y;
            else if (op == OpDivide) value = TruncatedDivide(x, y);
            else
            {
                int d = unchecked(x - y);
                value = unchecked(d * d);
            }
            output[i] = range.Apply(value);
        }
    }

    /// <summary>
    /// int32 DIV's quotient (the reference's IntegerDivision.Truncated): truncation toward zero, −2³¹ / −1 saturating to
    /// 2³¹ − 1 (never the hardware's overflow); a zero denominator has already failed the invoke on
    /// <see cref="InputDomainKernel"/>'s check and gives 0 here.
    /// </summary>
    private static int TruncatedDivide(int x, int y)
    {
        if (y == -1) return x == int.MinValue ? int.MaxValue : -x;
        return y == 0 ? 0 : x / y;
    }

    /// <summary>Loads <see cref="Kernel{TArithmetic}"/> for the node: operation <paramref name="op"/>, then the clamp.</summary>
    public static void Launch(DelegateNode node, IlgpuCompilation c, BroadcastPlan broadcast, int op, ActivationRange range)
    {
        var plan = Broadcast6.Of(broadcast);
        var a = c.View(node.Inputs[0]!);
        var b = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, Broadcast6, int, ActivationRange, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, a, b, output, plan, op, range, total, chunkSize), chunks);
    }

    /// <summary>The broadcast and the clamp (ADD/SUB/MUL's fused activation; [−∞, +∞] for the others).</summary>
    internal static (BroadcastPlan Plan, ActivationRange Range) Operands(DelegateNode node) => node.Params switch
    {
        BinaryArithmeticParams p => (p.Broadcast, p.FloatActivation),
        BinaryElementwiseParams p => (p.Broadcast, new ActivationRange(float.NegativeInfinity, float.PositiveInfinity)),
        var p => throw new InvalidOperationException($"{node.Code.Name}: unexpected params {p?.GetType().Name}"),
    };

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output,
        Broadcast6 plan, int op, ActivationRange range, int total, int chunkSize) where TArithmetic : struct, IDeviceArithmetic
    {
        var arithmetic = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            float x = a[ia];
            float y = b[ib];
            float value;
            if (op == OpAdd) value = x + y;
            else if (op == OpSub) value = x - y;
            else if (op == OpMul) value = x * y;
            else if (op == OpMaximum) value = x > y ? x : y; // ordered: false for NaN, so y is taken
            else if (op == OpMinimum) value = x < y ? x : y;
            else if (op == OpDivide) value = x / y; // IEEE division: .NET's on the CPU accelerator, div.rn.f32 on CUDA
            else
            {
                float d = arithmetic.Subtract(x, y);
                value = arithmetic.Multiply(d, d);
            }
            output[i] = range.Apply(value);
        }
    }
}

/// <summary>
/// The definition's <see cref="BroadcastPlan"/> right-aligned to six dimensions (missing leading dimensions 1, both
/// strides 0), the layout the kernel indexes: output dimensions D1..D5 (D0 implied) and each operand's element strides.
/// </summary>
internal readonly struct Broadcast6
{
    public const int MaxRank = 6;

    private Broadcast6(ReadOnlySpan<int> dims, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        D1 = dims[1]; D2 = dims[2]; D3 = dims[3]; D4 = dims[4]; D5 = dims[5];
        A0 = a[0]; A1 = a[1]; A2 = a[2]; A3 = a[3]; A4 = a[4]; A5 = a[5];
        B0 = b[0]; B1 = b[1]; B2 = b[2]; B3 = b[3]; B4 = b[4]; B5 = b[5];
    }

    public readonly int D1, D2, D3, D4, D5;
    public readonly int A0, A1, A2, A3, A4, A5;
    public readonly int B0, B1, B2, B3, B4, B5;

    /// <summary>The plan's dimensions and strides, padded in front to rank 6 (call only for plans of rank ≤ 6).</summary>
    public static Broadcast6 Of(BroadcastPlan plan)
    {
        int pad = MaxRank - plan.OutputShape.Length;
        Span<int> dims = stackalloc int[MaxRank], a = stackalloc int[MaxRank], b = stackalloc int[MaxRank];
        dims.Fill(1);
        plan.OutputShape.CopyTo(dims[pad..]);
        plan.StridesA.CopyTo(a[pad..]);
        plan.StridesB.CopyTo(b[pad..]);
        return new Broadcast6(dims, a, b);
    }

    /// <summary>Output element <paramref name="i"/>'s element offsets in a and b.</summary>
    public void Offsets(int i, out int a, out int b)
    {
        int i5 = i % D5, rest = i / D5;
        int i4 = rest % D4; rest /= D4;
        int i3 = rest % D3; rest /= D3;
        int i2 = rest % D2; rest /= D2;
        int i1 = rest % D1;
        int i0 = rest / D1;
        a = i0 * A0 + i1 * A1 + i2 * A2 + i3 * A3 + i4 * A4 + i5 * A5;
        b = i0 * B0 + i1 * B1 + i2 * B2 + i3 * B3 + i4 * B4 + i5 * B5;
    }
}
