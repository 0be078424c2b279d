using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// ADD, SUB, MUL on float32 (Shaders/binary.comp): NumPy broadcasting up to rank 4 exactly as the reference's
/// BroadcastPlan (a dimension of 1 against another size has stride 0), one rounded binary32 operation, then the
/// fused-activation clamp (absent options mean NONE). The operation is a specialization constant.
/// </summary>
internal sealed class BinaryArithmeticOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } =
        [BuiltinOperator.Add.ToSchemaName(), BuiltinOperator.Sub.ToSchemaName(), BuiltinOperator.Mul.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.Arity(node, 2, 2, 1) is { } arity) return NodeSupport.Refuse(arity);
        if (VulkanOpChecks.Float32(node, node.Inputs[0], node.Inputs[1], node.Outputs[0]) is { } dtype) return NodeSupport.Refuse(dtype);
        if (!TryPlan(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out var plan))
            return NodeSupport.Refuse($"{node.Code.Name}: operands of rank above 4 or shapes that do not broadcast");
        if (plan.Total != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse($"{node.Code.Name}: output size does not match the broadcast shape");
        if (!VulkanOpChecks.TryClamp(Activation(node), out _, out _))
            return NodeSupport.Refuse($"{node.Code.Name}: fused activation {Activation(node)} is not a clamp");
        return NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        TryPlan(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, out var plan);
        VulkanOpChecks.TryClamp(Activation(node), out float lo, out float hi);
        var push = new Push
        {
            D0 = plan.Dims[0], D1 = plan.Dims[1], D2 = plan.Dims[2], D3 = plan.Dims[3],
            A0 = plan.StrideA[0], A1 = plan.StrideA[1], A2 = plan.StrideA[2], A3 = plan.StrideA[3],
            B0 = plan.StrideB[0], B1 = plan.StrideB[1], B2 = plan.StrideB[2], B3 = plan.StrideB[3],
            Total = (uint)plan.Total, Lo = lo, Hi = hi,
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
            push, plan.Total, [operation]);
    }

    private static ActivationFunctionType Activation(DelegateNode node) => node.Options switch
    {
        AddOptions o => o.FusedActivation,
        SubOptions o => o.FusedActivation,
        MulOptions o => o.FusedActivation,
        _ => ActivationFunctionType.None,
    };

    private readonly record struct Plan(int[] Dims, int[] StrideA, int[] StrideB, long Total);

    /// <summary>The reference's broadcasting rules (BroadcastPlan.TryCreate) on shapes padded to rank 4.</summary>
    private static bool TryPlan(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out Plan plan)
    {
        plan = default;
        if (!VulkanOpChecks.TryRank4(a, out var da) || !VulkanOpChecks.TryRank4(b, out var db)) return false;
        var dims = new int[4];
        var strideA = new int[4];
        var strideB = new int[4];
        int runA = 1, runB = 1;
        for (int d = 3; d >= 0; d--)
        {
            if (da[d] != db[d] && da[d] != 1 && db[d] != 1) return false;
            dims[d] = da[d] == 1 ? db[d] : da[d];
            strideA[d] = da[d] == dims[d] && da[d] != 1 ? runA : 0;
            strideB[d] = db[d] == dims[d] && db[d] != 1 ? runB : 0;
            runA *= da[d];
            runB *= db[d];
        }
        plan = new Plan(dims, strideA, strideB, (long)dims[0] * dims[1] * dims[2] * dims[3]);
        return plan.Total <= uint.MaxValue;
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
