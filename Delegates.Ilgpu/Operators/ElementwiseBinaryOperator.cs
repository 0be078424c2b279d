using Accel.Kernels.Reference;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// ADD, SUB, MUL (float32): NumPy broadcasting of operands up to rank 4, one binary32 add, subtract or multiply per
/// element, then the fused clamp (the reference's own <see cref="ActivationRange.Apply"/>, so NaN and −0 behave
/// identically). The three share one kernel; the operation is an argument.
/// </summary>
internal sealed class ElementwiseBinaryOperator : IIlgpuOperator
{
    public const int OpAdd = 0;
    public const int OpMul = 1;
    public const int OpSub = 2;

    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return NodeSupport.Refuse($"{node.Code.Name} needs two inputs and one output");
        if (!Broadcast4.TryCreate(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out _, out int total))
            return NodeSupport.Refuse($"{node.Code.Name}: operands of rank > 4 or not broadcastable");
        if (total != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse($"{node.Code.Name}: output size does not match the broadcast shape");
        return FusedClamp.Refusal(node, ActivationOf(node)) is { } why ? NodeSupport.Refuse(why) : NodeSupport.Supported;
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        Broadcast4.TryCreate(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out var plan, out int total);
        var range = FusedClamp.RangeOf(ActivationOf(node));
        int op = node.Builtin switch
        {
            BuiltinOperator.Add => OpAdd,
            BuiltinOperator.Sub => OpSub,
            _ => OpMul,
        };
        var a = c.View(node.Inputs[0]!);
        var b = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, Broadcast4, int, ActivationRange, int, int>(Kernel);
        c.Add(() => kernel(chunks, a, b, output, plan, op, range, total, chunkSize), chunks);
    }

    /// <summary>Absent options mean NONE.</summary>
    private static ActivationFunctionType ActivationOf(DelegateNode node) => node.Options switch
    {
        AddOptions o => o.FusedActivation,
        SubOptions o => o.FusedActivation,
        MulOptions o => o.FusedActivation,
        _ => ActivationFunctionType.None,
    };

    public static void Kernel(Index1D chunk, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output,
        Broadcast4 plan, int op, ActivationRange range, int total, int chunkSize)
    {
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
            float value = op == OpAdd ? x + y : (op == OpSub ? x - y : x * y);
            output[i] = range.Apply(value);
        }
    }
}

/// <summary>
/// Strides of two operands broadcast to a rank-4 output (shapes right-aligned, missing leading dimensions 1), as the
/// reference's BroadcastPlan computes them: an operand's stride is 0 along a dimension it broadcasts.
/// </summary>
internal readonly struct Broadcast4
{
    public Broadcast4(int d1, int d2, int d3, int a0, int a1, int a2, int a3, int b0, int b1, int b2, int b3)
    {
        D1 = d1; D2 = d2; D3 = d3;
        A0 = a0; A1 = a1; A2 = a2; A3 = a3;
        B0 = b0; B1 = b1; B2 = b2; B3 = b3;
    }

    public readonly int D1, D2, D3;
    public readonly int A0, A1, A2, A3;
    public readonly int B0, B1, B2, B3;

    /// <summary>Plans a ⊕ b for shapes of rank ≤ 4; false when they do not broadcast or the rank is larger.</summary>
    public static bool TryCreate(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out Broadcast4 plan, out int total)
    {
        plan = default;
        total = 0;
        if (a.Length > 4 || b.Length > 4) return false;
        Span<int> dims = stackalloc int[4], sa = stackalloc int[4], sb = stackalloc int[4];
        int runA = 1, runB = 1;
        for (int d = 3; d >= 0; d--)
        {
            int da = d - (4 - a.Length) >= 0 ? a[d - (4 - a.Length)] : 1;
            int db = d - (4 - b.Length) >= 0 ? b[d - (4 - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) return false;
            dims[d] = da == 1 ? db : da;
            sa[d] = da == dims[d] && da != 1 ? runA : 0;
            sb[d] = db == dims[d] && db != 1 ? runB : 0;
            runA *= da;
            runB *= db;
        }
        total = dims[0] * dims[1] * dims[2] * dims[3];
        plan = new Broadcast4(dims[1], dims[2], dims[3], sa[0], sa[1], sa[2], sa[3], sb[0], sb[1], sb[2], sb[3]);
        return true;
    }
}
