using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// GATHER, any dtype: every index checked first (one outside the axis is the reference's KernelException, naming the
/// node), then each selected slice of Inner elements moved as one run; (batch, outer) blocks split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.Gather)]
internal sealed class GatherCpuKernel : CpuKernel<GatherParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gather];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Gather).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, GatherParams p) => new GatherNode(node, p);

    private sealed unsafe class GatherNode : ICpuCompiledNode
    {
        private const int MinBytesPerThread = 64 * 1024;

        private readonly DelegateNode _node;
        private readonly Tensor _input, _indices, _output;
        private readonly GatherParams _p;
        private readonly int _minBlocks;

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            GatherParams p = s.Params;
            int run = p.Inner * p.ElementSize;
            for (int block = start; block < end; block++)
            {
                int b = block / Math.Max(1, p.Outer);
                byte* from = s.Source + (long)block * p.AxisSize * run;
                byte* to = s.Destination + (long)block * p.Coords * run;
                for (int c = 0; c < p.Coords; c++)
                {
                    long index = s.Wide ? ((long*)s.Indices)[(long)b * p.Coords + c] : ((int*)s.Indices)[(long)b * p.Coords + c];
                    Elements.CopyRun(from + index * run, to + (long)c * run, run);
                }
            }
        };

        public GatherNode(DelegateNode node, GatherParams p)
        {
            _node = node;
            _input = node.Inputs[0]!;
            _indices = node.Inputs[1]!;
            _output = node.Outputs[0];
            _p = p;
            long blockBytes = Math.Max(1L, (long)p.Coords * p.Inner * p.ElementSize);
            _minBlocks = (int)Math.Max(1, MinBytesPerThread / blockBytes);
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            bool wide = _indices.Type == TensorType.Int64;
            byte* indices = Elements.Read(_indices);
            long count = (long)_p.Batch * _p.Coords;
            for (long i = 0; i < count; i++)
            {
                long index = wide ? ((long*)indices)[i] : ((int*)indices)[i];
                if ((ulong)index >= (ulong)_p.AxisSize)
                    throw new KernelException(_node.Index, _node.Op.Name,
                        $"indices '{_indices.Name}' element {i} is {index}, outside [0, {_p.AxisSize})");
            }
            if (_p.Inner == 0 || count == 0) return;
            var state = new State(_p, Elements.Read(_input), indices, wide, Elements.Write(_output));
            Chunked.For(pool, _p.Batch * _p.Outer, _minBlocks, state, Work);
        }

        private readonly struct State(GatherParams p, byte* source, byte* indices, bool wide, byte* destination)
        {
            public GatherParams Params { get; } = p;
            public byte* Source { get; } = source;
            public byte* Indices { get; } = indices;
            public bool Wide { get; } = wide;
            public byte* Destination { get; } = destination;
        }
    }
}
