using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// LEAKY_RELU (float32, any shape): x &gt; 0 ? x : x · alpha, one rounded multiply, as the reference; int8/uint8: the
/// definition's 256-entry table (<see cref="QuantizedLookupKernel"/>); int16: the reference run over every int16 value
/// (Int16RescaleActivationParams.Tabulate, <see cref="Int16LookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) =>
        node.Inputs[0]!.Type == TensorType.Int16 && node.ParamsAs<LeakyReluParams>().Int16Activation is null
            ? NodeSupport.Refuse("LEAKY_RELU: no int16 rescale params")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (node.ParamsAs<LeakyReluParams>().Int16Activation is { } int16)
        {
            Int16LookupKernel.Compile(node, c, int16.Tabulate());
            return;
        }
        if (node.ParamsAs<LeakyReluParams>().QuantizedTable is { IsEmpty: false } table)
        {
            QuantizedLookupKernel.Compile(node, c, table);
            return;
        }
        float alpha = node.ParamsAs<LeakyReluParams>().Alpha;
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, float, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, alpha, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, float alpha, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            float x = input[i];
            output[i] = x > 0f ? x : x * alpha;
        }
    }
}
