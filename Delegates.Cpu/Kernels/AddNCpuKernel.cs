using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// ADD_N (docs/numerics.md §ADD_N): per element s = x0, then s = clamp(s + xj) for each further input in order — the
/// reference's sequence, vectorized across elements (each lane keeps its own sequential chain; float32's clamp to
/// [−MaxValue, MaxValue] is <see cref="VectorClamp"/>'s NaN-passing form; int32 wraps). Split over the pool by
/// contiguous element ranges.
/// </summary>
[OpCodes(BuiltinOperator.AddN)]
internal sealed class AddNCpuKernel : CpuKernel<AddNParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AddN];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override ICpuCompiledNode Compile(DelegateNode node, AddNParams p) => new AddNNode(node, p);
}

internal sealed unsafe class AddNNode : ICpuCompiledNode
{
    private const int MinElementsPerThread = 32 * 1024;

    private readonly Tensor[] _inputs;
    private readonly Tensor _output;
    private readonly nint[] _pointers;
    private readonly int _count;
    private readonly bool _isFloat;
    private readonly SimdWidth _width;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

    public AddNNode(DelegateNode node, AddNParams p)
    {
        _inputs = node.Inputs.Select(t => t!).ToArray();
        _output = node.Outputs[0];
        _pointers = new nint[_inputs.Length];
        _count = p.ElementCount;
        _isFloat = _output.Type == TensorType.Float32;
        _width = SimdWidths.Current;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_count == 0) return;
        for (int j = 0; j < _inputs.Length; j++) _pointers[j] = (nint)RawTensorData.Read(_inputs[j]);
        var state = new State(_pointers, RawTensorData.Write(_output), _isFloat, _width);
        Chunked.For(pool, _count, MinElementsPerThread, state, Work);
    }

    private readonly struct State(nint[] inputs, byte* output, bool isFloat, SimdWidth width)
    {
        public void Run(int start, int end)
        {
            if (!isFloat)
            {
                SumInt32(start, end);
                return;
            }
            switch (width)
            {
                case SimdWidth.W512: SumFloat<Simd512, Vector512<float>>(start, end); break;
                case SimdWidth.W256: SumFloat<Simd256, Vector256<float>>(start, end); break;
                case SimdWidth.W128: SumFloat<Simd128, Vector128<float>>(start, end); break;
                default: SumFloat<Scalar, float>(start, end); break;
            }
        }

        [MethodImpl(JitHints.Hot)]
        private void SumFloat<TS, TV>(int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var o = (float*)output;
            TV lo = TS.Splat(float.MinValue), hi = TS.Splat(float.MaxValue);
            int i = start;
            for (; i <= end - TS.Count; i += TS.Count)
            {
                TV s = TS.Load((float*)inputs[0] + i);
                for (int j = 1; j < inputs.Length; j++) s = VectorClamp.Apply<TS, TV>(TS.Add(s, TS.Load((float*)inputs[j] + i)), lo, hi);
                TS.Store(o + i, s);
            }
            for (; i < end; i++)
            {
                float s = ((float*)inputs[0])[i];
                for (int j = 1; j < inputs.Length; j++) s = VectorClamp.Apply<Scalar, float>(s + ((float*)inputs[j])[i], float.MinValue, float.MaxValue);
                o[i] = s;
            }
        }

        [MethodImpl(JitHints.Hot)]
        private void SumInt32(int start, int end)
        {
            var o = (int*)output;
            int i = start;
            for (; i <= end - Vector256<int>.Count; i += Vector256<int>.Count)
            {
                var s = Vector256.Load((int*)inputs[0] + i);
                for (int j = 1; j < inputs.Length; j++) s += Vector256.Load((int*)inputs[j] + i);
                s.Store(o + i);
            }
            for (; i < end; i++)
            {
                int s = ((int*)inputs[0])[i];
                for (int j = 1; j < inputs.Length; j++) s = unchecked(s + ((int*)inputs[j])[i]);
                o[i] = s;
            }
        }
    }
}
