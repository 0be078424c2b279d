using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// SOFTMAX (float32, the last dimension): one row per thread (on the CPU accelerator a chunk of rows), the reference's
/// sequence in its order: the row's maximum (NaN wins); e_i = <see cref="SpecMath.Exp{TArithmetic}"/>((x_i − m)·beta)
/// stored in the output; sum = e_0 + e_1 + … from +0; out_i = e_i · <see cref="SpecMath.SoftmaxMultiplier{TArithmetic}"/>(sum).
/// The subtract, the multiply by beta and the sum's adds go through the device arithmetic: on CUDA Exp's last product
/// (p · 2^k, rounded on a subnormal e_i) must not be contracted into the sum's add.
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<SoftmaxParams>();
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        // About 35 operations per element: an Exp, the subtract and multiply before it, the sum's add, the final multiply.
        var (chunks, chunkSize) = c.Split(p.Rows, 35L * p.Depth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, SoftmaxShape, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        var shape = new SoftmaxShape { Rows = p.Rows, Depth = p.Depth, Beta = p.Beta };
        c.Add(() => kernel(chunks, input, output, shape, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, SoftmaxShape s, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < s.Rows ? start + chunkSize : s.Rows;
        for (int row = start; row < end; row++)
        {
            long origin = (long)row * s.Depth;
            float m = input[origin];
            for (int i = 1; i < s.Depth; i++)
            {
                float v = input[origin + i];
                if (v > m || float.IsNaN(v)) m = v;
            }
            float sum = 0f;
            for (int i = 0; i < s.Depth; i++)
            {
                float e = SpecMath.Exp<TArithmetic>(a.Multiply(a.Subtract(input[origin + i], m), s.Beta));
                output[origin + i] = e;
                sum = a.Add(sum, e);
            }
            float r = SpecMath.SoftmaxMultiplier<TArithmetic>(sum);
            for (int i = 0; i < s.Depth; i++) output[origin + i] = a.Multiply(output[origin + i], r);
        }
    }
}

/// <summary>SOFTMAX's rows of Depth elements and beta (the definition's <see cref="SoftmaxParams"/>).</summary>
internal struct SoftmaxShape
{
    public int Rows, Depth;
    public float Beta;
}
