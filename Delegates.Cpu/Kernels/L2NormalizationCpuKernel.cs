using System.Numerics;
using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// L2_NORMALIZATION, float32 (docs/numerics.md §L2_NORMALIZATION): per row, the sequential sum of rounded squares,
/// n = max(sqrt(sum), 1e-6), out_i = x_i / n (vectorised: each division is correctly rounded) — the reference's bits.
/// A row's sum is one dependent chain of adds, which no reordering may shorten; four rows' chains are interleaved so
/// their adds overlap in the pipeline. Groups of rows are split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationCpuKernel : CpuKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    protected override ICpuCompiledNode Compile(DelegateNode node, L2NormalizationParams p) => new L2NormalizationNode(node, p);
}

internal sealed unsafe class L2NormalizationNode(DelegateNode node, L2NormalizationParams p) : ICpuCompiledNode
{
    /// <summary>Rows whose sums run interleaved.</summary>
    private const int Group = 4;

    /// <summary>Elements below which a thread hand-off costs more than it saves.</summary>
    private const int MinElementsPerThread = 16 * 1024;

    private readonly Tensor _input = node.Inputs[0]!, _output = node.Outputs[0];

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (p.Rows == 0) return;
        int groups = (p.Rows + Group - 1) / Group;
        int minGroups = Math.Max(1, MinElementsPerThread / Math.Max(1, Group * p.Depth));
        Chunked.For(pool, groups, minGroups, new State(TensorData.Read(_input), TensorData.Write(_output), p), Work);
    }

    private readonly struct State(float* input, float* output, L2NormalizationParams p)
    {
        [MethodImpl(JitHints.Hot)]
        public void Run(int startGroup, int endGroup)
        {
            int depth = p.Depth;
            for (int g = startGroup; g < endGroup; g++)
            {
                int row = g * Group;
                if (row + Group <= p.Rows)
                {
                    float* x0 = input + (long)row * depth, x1 = x0 + depth, x2 = x1 + depth, x3 = x2 + depth;
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                    for (int i = 0; i < depth; i++)
                    {
                        float q0 = x0[i] * x0[i], q1 = x1[i] * x1[i], q2 = x2[i] * x2[i], q3 = x3[i] * x3[i];
                        s0 += q0;
                        s1 += q1;
                        s2 += q2;
                        s3 += q3;
                    }
                    Divide(x0, output + (long)row * depth, depth, s0);
                    Divide(x1, output + (long)(row + 1) * depth, depth, s1);
                    Divide(x2, output + (long)(row + 2) * depth, depth, s2);
                    Divide(x3, output + (long)(row + 3) * depth, depth, s3);
                    continue;
                }
                for (; row < p.Rows; row++)
                {
                    float* x = input + (long)row * depth;
                    float sum = 0f;
                    for (int i = 0; i < depth; i++)
                    {
                        float square = x[i] * x[i];
                        sum += square;
                    }
                    Divide(x, output + (long)row * depth, depth, sum);
                }
            }
        }

        /// <summary>n = max(sqrt(sum), epsilon) (NaN stays NaN), then y = x / n, the divisions vectorized.</summary>
        [MethodImpl(JitHints.Hot)]
        private void Divide(float* x, float* y, int depth, float sum)
        {
            float norm = MathF.Sqrt(sum);
            if (norm < p.Epsilon) norm = p.Epsilon;
            var divisor = new Vector<float>(norm);
            int j = 0;
            for (; j <= depth - Vector<float>.Count; j += Vector<float>.Count)
                (Vector.Load(x + j) / divisor).Store(y + j);
            for (; j < depth; j++) y[j] = x[j] / norm;
        }
    }
}
