using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The float32 binary element-wise ops with NumPy broadcasting (Shaders/binary.comp): ADD, SUB, MUL (one rounded
/// operation, then the fused-activation clamp), MAXIMUM, MINIMUM (the reference's operand-ordered selection
/// <c>a &gt; b ? a : b</c> / <c>a &lt; b ? a : b</c>) and SQUARED_DIFFERENCE (d = a − b, then d · d, each rounded, no
/// fma). The definition's BroadcastPlan gives the strides (a dimension of 1 against another size has stride 0); the
/// shader walks at most four dimensions (the plan padded on the left with size 1, stride 0); the operation is a
/// specialization constant. int32 is refused by the delegate (<see cref="IOpKernel.Types"/> is float32 only: the
/// shader has no integer path).
/// </summary>
internal sealed class BinaryArithmeticKernel : VulkanKernel<OpParams>
{
    private const int MaxRank = 4;

    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
    ];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, VulkanDeviceInfo device)
    {
        int rank = Operands(p).Plan.OutputShape.Length;
        return rank > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank {rank}; rank above 4 is not supported")
            : NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, OpParams p, VulkanPartitionBuilder builder)
    {
        var (plan, range) = Operands(p);
        var dims = Rank4(plan.OutputShape, 1);
        var a = Rank4(plan.StridesA, 0);
        var b = Rank4(plan.StridesB, 0);
        long total = node.Outputs[0].ElementCount;
        var push = new Push
        {
            D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3],
            A0 = a[0], A1 = a[1], A2 = a[2], A3 = a[3],
            B0 = b[0], B1 = b[1], B2 = b[2], B3 = b[3],
            Total = (uint)total, Lo = range.Min, Hi = range.Max,
        };
        // binary.comp's OPERATION.
        int operation = node.Builtin switch
        {
            BuiltinOperator.Add => 0,
            BuiltinOperator.Sub => 1,
            BuiltinOperator.Mul => 2,
            BuiltinOperator.Maximum => 3,
            BuiltinOperator.Minimum => 4,
            BuiltinOperator.SquaredDifference => 5,
            _ => throw new InvalidOperationException($"{node.Code.Name} is not a binary arithmetic op"),
        };
        builder.DispatchElements("binary",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, total, [operation]);
    }

    /// <summary>
    /// The broadcast and the clamp: ADD/SUB/MUL's fused activation; MAXIMUM, MINIMUM and SQUARED_DIFFERENCE have none,
    /// and the clamp to [−∞, +∞] passes every value (NaN and −0 included) unchanged.
    /// </summary>
    private static (BroadcastPlan Plan, ActivationRange Range) Operands(OpParams p) => p switch
    {
        BinaryArithmeticParams arithmetic => (arithmetic.Broadcast, arithmetic.FloatActivation),
        BinaryElementwiseParams elementwise => (elementwise.Broadcast, new ActivationRange(float.NegativeInfinity, float.PositiveInfinity)),
        _ => throw new InvalidOperationException($"unexpected params {p.GetType().Name}"),
    };

    /// <summary>The values right-aligned in four slots, leading slots <paramref name="fill"/>.</summary>
    private static int[] Rank4(ReadOnlySpan<int> values, int fill)
    {
        var padded = new int[MaxRank];
        for (int i = 0; i < MaxRank; i++)
        {
            int source = i - (MaxRank - values.Length);
            padded[i] = source >= 0 ? values[source] : fill;
        }
        return padded;
    }

    /// <summary>binary.comp's push constants (std430: three ivec4, then total, lo, hi).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int D0, D1, D2, D3;
        public int A0, A1, A2, A3;
        public int B0, B1, B2, B3;
        public uint Total;
        public float Lo, Hi;
    }
}
