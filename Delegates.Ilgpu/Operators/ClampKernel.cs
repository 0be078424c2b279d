using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RELU, RELU6, RELU_N1_TO_1 and RELU_0_TO_1 (float32, any shape): the reference's clamp to [0, +∞), [0, 6], [−1, 1]
/// or [0, 1] per element; int8/uint8: the definition's 256-entry table of TFLite's QuantizedReluX
/// (<see cref="QuantizedLookupKernel"/>); RELU and RELU6 on int16: the reference run over every int16 value
/// (Int16RescaleActivationParams.Tabulate, <see cref="Int16LookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1)]
internal sealed class ClampKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) =>
        node.Inputs[0]!.Type == TensorType.Int16 && node.ParamsAs<ElementwiseParams>().Int16Activation is null
            ? NodeSupport.Refuse($"{node.Code.Name}: no int16 rescale params")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (node.ParamsAs<ElementwiseParams>().Int16Activation is { } int16)
        {
            Int16LookupKernel.Compile(node, c, int16.Tabulate());
            return;
        }
        if (QuantizedLookupKernel.Applies(node))
        {
            QuantizedLookupKernel.Compile(node, c);
            return;
        }
        var range = node.Builtin switch
        {
            BuiltinOperator.Relu => new ActivationRange(0f, float.PositiveInfinity),
            BuiltinOperator.Relu6 => new ActivationRange(0f, 6f),
            BuiltinOperator.ReluN1To1 => new ActivationRange(-1f, 1f),
            _ => new ActivationRange(0f, 1f),
        };
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ActivationRange, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, range, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ActivationRange range,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = range.Apply(input[i]);
    }
}
