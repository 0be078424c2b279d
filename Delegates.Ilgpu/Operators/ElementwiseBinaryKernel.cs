using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The float32 binary element-wise ops with the definition's broadcast (its <see cref="BroadcastPlan"/>, laid out for
/// operands up to rank 4), then a clamp: ADD, SUB, MUL (one binary32 add, subtract or multiply, then the definition's
/// fused clamp, the reference's own <see cref="ActivationRange.Apply"/>, so NaN and −0 behave identically); MAXIMUM and
/// MINIMUM (the reference's selection <c>a &gt; b ? a : b</c> / <c>a &lt; b ? a : b</c>, operand order kept: the second
/// operand wins ties and unordered comparisons); SQUARED_DIFFERENCE (d = a − b, then d · d, both through the device
/// arithmetic: rounded separately, never fused on CUDA). The last three have no activation: their clamp is to
/// [−∞, +∞], which passes every value. All share one kernel; the operation is an argument. int32 is refused by the
/// delegate (float32 only).
/// </summary>
internal sealed class ElementwiseBinaryKernel : IIlgpuKernel
{
    public const int OpAdd = 0;
    public const int OpMul = 1;
    public const int OpSub = 2;
    public const int OpMaximum = 3;
    public const int OpMinimum = 4;
    public const int OpSquaredDifference = 5;

    public IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
    ];

    public NodeSupport Supports(DelegateNode node) =>
        Operands(node).Plan.OutputShape.Length > Broadcast4.MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank > {Broadcast4.MaxRank} (the kernel's layout has four dimensions)")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var (broadcast, range) = Operands(node);
        var plan = Broadcast4.Of(broadcast);
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
        var a = c.View(node.Inputs[0]!);
        var b = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, Broadcast4, int, ActivationRange, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, a, b, output, plan, op, range, total, chunkSize), chunks);
    }

    /// <summary>The broadcast and the clamp (ADD/SUB/MUL's fused activation; [−∞, +∞] for the others).</summary>
    private static (BroadcastPlan Plan, ActivationRange Range) Operands(DelegateNode node) => node.Params switch
    {
        BinaryArithmeticParams p => (p.Broadcast, p.FloatActivation),
        BinaryElementwiseParams p => (p.Broadcast, new ActivationRange(float.NegativeInfinity, float.PositiveInfinity)),
        var p => throw new InvalidOperationException($"{node.Code.Name}: unexpected params {p?.GetType().Name}"),
    };

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output,
        Broadcast4 plan, int op, ActivationRange range, int total, int chunkSize) where TArithmetic : struct, IDeviceArithmetic
    {
        var arithmetic = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int i3 = i % plan.D3;
            int rest = i / plan.D3;
            int i2 = rest % plan.D2;
            rest /= plan.D2;
            int i1 = rest % plan.D1;
            int i0 = rest / plan.D1;
            float x = a[i0 * plan.A0 + i1 * plan.A1 + i2 * plan.A2 + i3 * plan.A3];
            float y = b[i0 * plan.B0 + i1 * plan.B1 + i2 * plan.B2 + i3 * plan.B3];
            float value;
            if (op == OpAdd) value = x + y;
            else if (op == OpSub) value = x - y;
            else if (op == OpMul) value = x * y;
            else if (op == OpMaximum) value = x > y ? x : y; // ordered: false for NaN, so y is taken
            else if (op == OpMinimum) value = x < y ? x : y;
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
/// The definition's <see cref="BroadcastPlan"/> right-aligned to four dimensions (missing leading dimensions 1, both
/// strides 0), the layout the kernel indexes: output dimensions D1..D3 (D0 implied) and each operand's element strides.
/// </summary>
internal readonly struct Broadcast4
{
    public const int MaxRank = 4;

    private Broadcast4(ReadOnlySpan<int> dims, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        D1 = dims[1]; D2 = dims[2]; D3 = dims[3];
        A0 = a[0]; A1 = a[1]; A2 = a[2]; A3 = a[3];
        B0 = b[0]; B1 = b[1]; B2 = b[2]; B3 = b[3];
    }

    public readonly int D1, D2, D3;
    public readonly int A0, A1, A2, A3;
    public readonly int B0, B1, B2, B3;

    /// <summary>The plan's dimensions and strides, padded in front to rank 4 (call only for plans of rank ≤ 4).</summary>
    public static Broadcast4 Of(BroadcastPlan plan)
    {
        int pad = MaxRank - plan.OutputShape.Length;
        Span<int> dims = stackalloc int[MaxRank], a = stackalloc int[MaxRank], b = stackalloc int[MaxRank];
        dims.Fill(1);
        plan.OutputShape.CopyTo(dims[pad..]);
        plan.StridesA.CopyTo(a[pad..]);
        plan.StridesB.CopyTo(b[pad..]);
        return new Broadcast4(dims, a, b);
    }
}
