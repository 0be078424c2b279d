namespace Accel.Optimize;

/// <summary>
/// Folds a standalone RELU / RELU6 / RELU_N1_TO_1 into the operator before it (CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, ADD, SUB, MUL with no fused activation) when that operator's output feeds only the activation,
/// as TFLite's converter does. In float this computes the same bits (the clamp is applied to the same value); for int8
/// it lets the operator clamp in integers instead of leaving the activation float (Accel has no int8 RELU kernel).
/// </summary>
internal static class ActivationFusion
{
    public static int Fuse(EditableGraph g)
    {
        int fused = 0;
        bool changed = true;
        while (changed)
        {
            changed = false;
            var producers = g.Producers();
            var consumers = g.Consumers();
            for (int n = 0; n < g.Operators.Count; n++)
            {
                var op = g.Operators[n];
                var activation = op.Code.Builtin switch
                {
                    BuiltinOperator.Relu => ActivationFunctionType.Relu,
                    BuiltinOperator.Relu6 => ActivationFunctionType.Relu6,
                    BuiltinOperator.ReluN1To1 => ActivationFunctionType.ReluN1To1,
                    _ => ActivationFunctionType.None,
                };
                if (activation == ActivationFunctionType.None || op.Inputs.Length != 1 || op.Outputs.Length != 1) continue;
                int x = op.Inputs[0];
                if (x < 0 || producers[x] < 0 || consumers[x].Count != 1 || g.Outputs.Contains(x)) continue;
                var producer = g.Operators[producers[x]];
                if (producer.Outputs.Length != 1) continue;
                OperatorOptions? options = producer.Options switch
                {
                    Conv2DOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    DepthwiseConv2DOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    FullyConnectedOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    AddOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    SubOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    MulOptions { FusedActivation: ActivationFunctionType.None } o => o with { FusedActivation = activation },
                    _ => null,
                };
                if (options is null) continue;
                producer.Options = options;
                producer.Outputs = [op.Outputs[0]];
                g.Operators.RemoveAt(n);
                fused++;
                changed = true;
                break;
            }
        }
        return fused;
    }
}
