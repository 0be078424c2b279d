using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// GELU (float32, any shape): the reference's own sequences, SpecMath.GeluExact ((0.5·x)·Erfc(x·(−1/√2))) or, with
/// approximate, SpecMath.GeluApproximate ((0.5·x)·(1 + Tanh(√(2/π)·(x + ((0.044715·x)·x)·x)))), with the accelerator's
/// FMA and round-to-even. GELU's own products and sums, and Erfc's reflection 2 − Erfc(−z) for z ≤ −0.5 (whose last
/// operation in SpecMath is a plain product), go through <see cref="IDeviceArithmetic"/>, so ptxas cannot contract a
/// product into a sum the reference rounds twice. int8/uint8: the definition's 256-entry table
/// (<see cref="QuantizedLookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Gelu];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (node.ParamsAs<GeluParams>().QuantizedTable is { IsEmpty: false } table)
        {
            QuantizedLookupKernel.Compile(node, c, table);
            return;
        }
        int approximate = node.ParamsAs<GeluParams>().Approximate ? 1 : 0;
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 60);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, output, approximate, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int approximate, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        if (approximate != 0)
            for (int i = start; i < end; i++) output[i] = Approximate<TArithmetic>(input[i]);
        else
            for (int i = start; i < end; i++) output[i] = Exact<TArithmetic>(input[i]);
    }

    private static float Exact<TArithmetic>(float x) where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        float z = a.Multiply(x, SpecMath.GeluNegativeSqrtHalf);
        // SpecMath.Erfc(z) for z ≤ −0.5 is 2 − Erfc(−z) (−z ≥ 0.5 takes the same path there); −∞ gives 2 − 0.
        float erfc = z <= -0.5f ? a.Subtract(2f, SpecMath.Erfc<TArithmetic>(-z)) : SpecMath.Erfc<TArithmetic>(z);
        return a.Multiply(a.Multiply(0.5f, x), erfc);
    }

    private static float Approximate<TArithmetic>(float x) where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        float cube = a.Multiply(a.Multiply(a.Multiply(SpecMath.GeluCubicCoefficient, x), x), x);
        float inner = a.Multiply(SpecMath.GeluSqrtTwoOverPi, a.Add(x, cube));
        return a.Multiply(a.Multiply(0.5f, x), a.Add(1f, SpecMath.Tanh<TArithmetic>(inner)));
    }
}
