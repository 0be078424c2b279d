namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>Shape checks shared by the one-input, one-output elementwise operators.</summary>
internal static class UnaryChecks
{
    public static NodeSupport SameSize(DelegateNode node)
    {
        if (node.Inputs.Count != 1 || node.Outputs.Count != 1 || node.Inputs[0] is null)
            return NodeSupport.Refuse($"{node.Code.Name} needs one input and one output");
        if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse($"{node.Code.Name}: input and output sizes differ");
        return NodeSupport.Supported;
    }
}
