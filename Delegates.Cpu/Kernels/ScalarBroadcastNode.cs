using System.Numerics;
using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>One element operation of a broadcast binary op that has no vector form (integer division, fmod …).</summary>
internal interface IScalarBinaryOp<T> where T : unmanaged
{
    T Apply(T a, T b);
}

/// <summary>
/// Engine of the broadcast binary ops without a vector form (FLOOR_MOD int64; int32 arithmetic with a clamp other than
/// the four fused activations'): out = op(a, b) per output element over the definition's broadcast collapsed into rows
/// (<see cref="BroadcastRows"/>), split over the pool by rows. The element operation is the reference's own
/// (Runtime.Core's <see cref="IntegerDivision"/> …), so results are the reference's bits. When
/// <c>refuseZeroDenominator</c>, input 1 is scanned first and a zero fails the invoke as the reference does.
/// </summary>
internal sealed unsafe class ScalarBroadcastNode<T, TOp> : ICpuCompiledNode
    where T : unmanaged, INumberBase<T> where TOp : struct, IScalarBinaryOp<T>
{
    private const int MinElementsPerThread = 16 * 1024;

    private readonly DelegateNode _node;
    private readonly Tensor _a, _b, _output;
    private readonly BroadcastRows _plan;
    private readonly TOp _op;
    private readonly bool _refuseZeroDenominator;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

    public ScalarBroadcastNode(DelegateNode node, TOp op, bool refuseZeroDenominator)
    {
        _node = node;
        _a = node.Inputs[0]!;
        _b = node.Inputs[1]!;
        _output = node.Outputs[0];
        _plan = BroadcastRows.Create(_a.Shape, _b.Shape, _output.Shape);
        _op = op;
        _refuseZeroDenominator = refuseZeroDenominator;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var a = (T*)RawTensorData.Read(_a);
        var b = (T*)RawTensorData.Read(_b);
        if (_refuseZeroDenominator)
        {
            long count = _b.ElementCount;
            for (int i = 0; i < count; i++)
                if (T.IsZero(b[i]))
                    throw new KernelException(_node.Index, _node.Op.Name,
                        IntegerDivision.DivisionByZeroMessage(i, _b.Name, b[i].ToString(null, System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (_output.ElementCount == 0) return;
        var state = new State(a, b, (T*)RawTensorData.Write(_output), _plan, _op);
        Chunked.For(pool, _plan.Rows, Math.Max(1, MinElementsPerThread / Math.Max(1, _plan.RowLength)), state, Work);
    }

    private readonly struct State(T* a, T* b, T* output, BroadcastRows plan, TOp op)
    {
        [MethodImpl(JitHints.Hot)]
        public void Run(int start, int end)
        {
            int n = plan.RowLength, aStep = plan.AStep, bStep = plan.BStep;
            Span<int> index = stackalloc int[Math.Max(1, plan.OuterDims.Length)];
            var (aOffset, bOffset) = plan.RowOffsets(start, index);
            for (int row = start; row < end; row++)
            {
                T* pa = a + aOffset, pb = b + bOffset, po = output + (long)row * n;
                for (int i = 0; i < n; i++) po[i] = op.Apply(pa[i * aStep], pb[i * bStep]);
                plan.Advance(index, ref aOffset, ref bOffset);
            }
        }
    }
}
