using System.Runtime.CompilerServices;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>A float32 function of one element, evaluated with the reference's own scalar sequence (SpecMath).</summary>
internal interface IScalarFunction
{
    float Apply(float x);
}

/// <summary>
/// A one-input element-wise float32 op whose SpecMath sequence has no vector form yet (LOG, SIN, COS):
/// the scalar function per element — bit for bit the reference — over contiguous ranges split across the pool.
/// </summary>
internal abstract class ScalarMapKernel<TFunction> : CpuKernel<ElementwiseParams> where TFunction : struct, IScalarFunction
{
    /// <summary>Elements below which a thread hand-off costs more than it saves.</summary>
    protected virtual int MinPerThread => 4 * 1024;

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => new Node(node, MinPerThread);

    private sealed unsafe class Node(DelegateNode node, int minPerThread) : ICpuCompiledNode
    {
        private readonly Tensor _input = node.Inputs[0]!;
        private readonly Tensor _output = node.Outputs[0];
        private readonly int _count = checked((int)node.Outputs[0].ElementCount);

        private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) => Map(s, start, end);

        public void Run(CpuThreadPool pool) =>
            Chunked.For(pool, _count, minPerThread, new State(TensorData.Read(_input), TensorData.Write(_output)), Work);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Map(in State s, int start, int end)
        {
            var function = default(TFunction);
            for (int i = start; i < end; i++) s.Output[i] = function.Apply(s.Input[i]);
        }

        private readonly struct State(float* input, float* output)
        {
            public float* Input => input;
            public float* Output => output;
        }
    }
}
