using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SELECT and SELECT_V2 (docs/numerics.md §SELECT, SELECT_V2): out = condition ? x : y through the definition's
/// <see cref="SelectLayout"/> strides, the chosen element moved as raw bits of its width (bool results written 0 or 1),
/// rows of the innermost output dimension split over the pool.
/// </summary>
internal sealed class SelectCpuKernel : CpuKernel<SelectParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Select, BuiltinOperator.SelectV2];

    /// <summary>The value dtypes; the CPU delegate checks input 0 (the bool condition) against them, the definition x.</summary>
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SelectV2).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, SelectParams p) => node.Inputs[1]!.Type.ElementSize() switch
    {
        1 => new SelectNode<byte>(node, p.Layout, truthValues: node.Inputs[1]!.Type == TensorType.Bool),
        2 => new SelectNode<ushort>(node, p.Layout, truthValues: false),
        4 => new SelectNode<uint>(node, p.Layout, truthValues: false),
        _ => new SelectNode<ulong>(node, p.Layout, truthValues: false),
    };
}

internal sealed unsafe class SelectNode<T> : ICpuCompiledNode where T : unmanaged
{
    private const int MinElementsPerThread = 32 * 1024;

    private readonly Tensor _condition, _x, _y, _output;
    private readonly int[] _outer, _sc, _sx, _sy;
    private readonly int _rowLength, _rows, _rowC, _rowX, _rowY;
    private readonly bool _truthValues;

    private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) => s.Run(start, end);

    public SelectNode(DelegateNode node, SelectLayout layout, bool truthValues)
    {
        _condition = node.Inputs[0]!;
        _x = node.Inputs[1]!;
        _y = node.Inputs[2]!;
        _output = node.Outputs[0];
        int rank = layout.OutputShape.Length;
        // Rows along the innermost dimension (a scalar output is one row of one element).
        _rowLength = rank == 0 ? 1 : layout.OutputShape[rank - 1];
        _rowC = rank == 0 ? 0 : layout.ConditionStrides[rank - 1];
        _rowX = rank == 0 ? 0 : layout.XStrides[rank - 1];
        _rowY = rank == 0 ? 0 : layout.YStrides[rank - 1];
        int outer = Math.Max(rank - 1, 0);
        _outer = layout.OutputShape[..outer].ToArray();
        _sc = layout.ConditionStrides[..outer].ToArray();
        _sx = layout.XStrides[..outer].ToArray();
        _sy = layout.YStrides[..outer].ToArray();
        _rows = _rowLength == 0 ? 0 : layout.ElementCount / _rowLength;
        _truthValues = truthValues;
    }

    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0) return;
        var state = new State(this, RawTensorData.Read(_condition), (T*)RawTensorData.Read(_x), (T*)RawTensorData.Read(_y),
            (T*)RawTensorData.Write(_output));
        Chunked.For(pool, _rows, Math.Max(1, MinElementsPerThread / _rowLength), state, Work);
    }

    private readonly struct State(SelectNode<T> n, byte* condition, T* x, T* y, T* output)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            int dims = n._outer.Length;
            Span<int> index = stackalloc int[Math.Max(dims, 1)];
            // Offsets of row `start`: its coordinates over the outer dimensions.
            long c = 0, ix = 0, iy = 0;
            int rest = start;
            for (int d = dims - 1; d >= 0; d--)
            {
                index[d] = rest % n._outer[d];
                rest /= n._outer[d];
                c += (long)index[d] * n._sc[d];
                ix += (long)index[d] * n._sx[d];
                iy += (long)index[d] * n._sy[d];
            }
            int length = n._rowLength;
            for (int row = start; row < end; row++)
            {
                T* o = output + (long)row * length;
                for (int i = 0; i < length; i++)
                    o[i] = condition[c + (long)i * n._rowC] != 0 ? x[ix + (long)i * n._rowX] : y[iy + (long)i * n._rowY];
                if (n._truthValues)
                    for (int i = 0; i < length; i++) ((byte*)o)[i] = ((byte*)o)[i] != 0 ? (byte)1 : (byte)0;
                for (int d = dims - 1; d >= 0; d--)
                {
                    c += n._sc[d];
                    ix += n._sx[d];
                    iy += n._sy[d];
                    if (++index[d] < n._outer[d]) break;
                    c -= (long)n._sc[d] * n._outer[d];
                    ix -= (long)n._sx[d] * n._outer[d];
                    iy -= (long)n._sy[d] * n._outer[d];
                    index[d] = 0;
                }
            }
        }
    }
}
