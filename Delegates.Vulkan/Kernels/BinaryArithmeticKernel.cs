using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// ADD, SUB, MUL on float32 (Shaders/binary.comp): the definition's NumPy broadcasting (BroadcastPlan: a dimension of 1
/// against another size has stride 0), one rounded binary32 operation, then the fused-activation clamp. The shader
/// walks at most four dimensions (the plan padded on the left with size 1, stride 0); the operation is a
/// specialization constant.
/// </summary>
internal sealed class BinaryArithmeticKernel : VulkanKernel<BinaryArithmeticParams>
{
    private const int MaxRank = 4;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p, VulkanDeviceInfo device) =>
        p.Broadcast.OutputShape.Length > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank {p.Broadcast.OutputShape.Length}; rank above 4 is not supported")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, BinaryArithmeticParams p, VulkanPartitionBuilder builder)
    {
        var dims = Rank4(p.Broadcast.OutputShape, 1);
        var a = Rank4(p.Broadcast.StridesA, 0);
        var b = Rank4(p.Broadcast.StridesB, 0);
        long total = node.Outputs[0].ElementCount;
        var push = new Push
        {
            D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3],
            A0 = a[0], A1 = a[1], A2 = a[2], A3 = a[3],
            B0 = b[0], B1 = b[1], B2 = b[2], B3 = b[3],
            Total = (uint)total, Lo = p.FloatActivation.Min, Hi = p.FloatActivation.Max,
        };
        int operation = node.Builtin switch
        {
            BuiltinOperator.Add => 0,
            BuiltinOperator.Sub => 1,
            _ => 2,
        };
        builder.DispatchElements("binary",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, total, [operation]);
    }

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
