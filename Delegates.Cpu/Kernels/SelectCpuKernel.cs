using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SELECT and SELECT_V2 (docs/numerics.md §SELECT, SELECT_V2): out = condition ? x : y through the definition's
/// <see cref="SelectLayout"/> strides, the chosen element moved as raw bits of its width (bool results written 0 or 1),
/// rows of the innermost output dimension split over the pool. Where the three operands walk the output element for
/// element (same shapes: one flat range; or contiguous innermost rows) the choice is a vector blend (SelectLanes: the
/// condition bytes widened to lane masks); a row whose condition is one element copies a row of x or y.
/// </summary>
[OpCodes(BuiltinOperator.Select, BuiltinOperator.SelectV2)]
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
    private readonly bool _flat;
    private readonly SimdWidth _width = SimdWidths.Current;
    private readonly int _count;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

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
        _count = layout.ElementCount;
        _flat = IsRowMajor(layout.ConditionStrides, layout.OutputShape) && IsRowMajor(layout.XStrides, layout.OutputShape)
                && IsRowMajor(layout.YStrides, layout.OutputShape);
    }

    /// <summary>Whether <paramref name="strides"/> walk <paramref name="shape"/> element for element (row-major, size-1 dimensions aside).</summary>
    private static bool IsRowMajor(ReadOnlySpan<int> strides, ReadOnlySpan<int> shape)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    private static readonly CpuThreadPool.ChunkAction<State> FlatWork = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.RunFlat(start, end);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0) return;
        var state = new State(this, RawTensorData.Read(_condition), (T*)RawTensorData.Read(_x), (T*)RawTensorData.Read(_y),
            (T*)RawTensorData.Write(_output));
        if (_flat) Chunked.For(pool, _count, MinElementsPerThread, state, FlatWork);
        else Chunked.For(pool, _rows, Math.Max(1, MinElementsPerThread / _rowLength), state, Work);
    }

    private readonly struct State(SelectNode<T> n, byte* condition, T* x, T* y, T* output)
    {
        /// <summary>Elements [start, end) of operands that all walk the output element for element.</summary>
        [MethodImpl(JitHints.Hot)]
        public void RunFlat(int start, int end) =>
            SelectLanes.Blend(n._width, condition + start, x + start, y + start, output + start, end - start, n._truthValues);

        [MethodImpl(JitHints.Hot)]
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
                if (n._rowC == 1 && n._rowX == 1 && n._rowY == 1)
                    SelectLanes.Blend(n._width, condition + c, x + ix, y + iy, o, length, n._truthValues);
                else if (n._rowC == 0 && n._rowX == 1 && n._rowY == 1 && !n._truthValues)
                    new ReadOnlySpan<T>(condition[c] != 0 ? x + ix : y + iy, length).CopyTo(new Span<T>(o, length));
                else
                {
                    for (int i = 0; i < length; i++)
                        o[i] = condition[c + (long)i * n._rowC] != 0 ? x[ix + (long)i * n._rowX] : y[iy + (long)i * n._rowY];
                    if (n._truthValues)
                        for (int i = 0; i < length; i++) ((byte*)o)[i] = ((byte*)o)[i] != 0 ? (byte)1 : (byte)0;
                }
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

/// <summary>
/// out[i] = c[i] != 0 ? x[i] : y[i] over contiguous elements of 1, 2, 4 or 8 bytes: per vector, the condition bytes
/// compared with zero (0xFF where true) and sign-extended to the element width give the lane mask of a bitwise blend,
/// so the chosen element's bits move unchanged; the tail one element at a time. Bool results (truthValues) are
/// min(byte, 1): 0 or 1, as the scalar path writes them.
/// </summary>
internal static unsafe class SelectLanes
{
    [MethodImpl(JitHints.Hot)]
    public static void Blend<T>(SimdWidth width, byte* c, T* x, T* y, T* o, int length, bool truthValues) where T : unmanaged
    {
        int i = 0;
        switch (width)
        {
            case SimdWidth.W512:
                for (; i <= length - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var v = Vector512.ConditionalSelect(Mask512<T>(c + i), Vector512.Load(x + i), Vector512.Load(y + i));
                    (truthValues ? Vector512.Min(v.AsByte(), Vector512<byte>.One).As<byte, T>() : v).Store(o + i);
                }
                break;
            case SimdWidth.W256:
                for (; i <= length - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    var v = Vector256.ConditionalSelect(Mask256<T>(c + i), Vector256.Load(x + i), Vector256.Load(y + i));
                    (truthValues ? Vector256.Min(v.AsByte(), Vector256<byte>.One).As<byte, T>() : v).Store(o + i);
                }
                break;
            case SimdWidth.W128:
                for (; i <= length - Vector128<T>.Count; i += Vector128<T>.Count)
                {
                    var v = Vector128.ConditionalSelect(Mask128<T>(c + i), Vector128.Load(x + i), Vector128.Load(y + i));
                    (truthValues ? Vector128.Min(v.AsByte(), Vector128<byte>.One).As<byte, T>() : v).Store(o + i);
                }
                break;
        }
        for (; i < length; i++)
        {
            T chosen = c[i] != 0 ? x[i] : y[i];
            if (truthValues)
            {
                byte b = Unsafe.As<T, byte>(ref chosen) != 0 ? (byte)1 : (byte)0;
                chosen = Unsafe.As<byte, T>(ref b);
            }
            o[i] = chosen;
        }
    }

    /// <summary>All-ones lanes where the condition byte is nonzero, for Vector128&lt;T&gt;.Count condition bytes (no more are read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Mask128<T>(byte* c) where T : unmanaged
    {
        if (sizeof(T) == 1) return (~Vector128.Equals(Vector128.Load(c), Vector128<byte>.Zero)).As<byte, T>();
        if (sizeof(T) == 2)
            return Vector128.WidenLower(Truth(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(c)).AsSByte())).As<short, T>();
        if (sizeof(T) == 4)
            return Vector128.WidenLower(Vector128.WidenLower(Truth(Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(c)).AsSByte()))).As<int, T>();
        return Vector128.WidenLower(Vector128.WidenLower(Vector128.WidenLower(
            Truth(Vector128.CreateScalar(Unsafe.ReadUnaligned<ushort>(c)).AsSByte())))).As<long, T>();
    }

    /// <summary>−1 (all ones) in every lane whose byte is nonzero, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Truth(Vector128<sbyte> bytes) => ~Vector128.Equals(bytes, Vector128<sbyte>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Mask256<T>(byte* c) where T : unmanaged =>
        Vector256.Create(Mask128<T>(c), Mask128<T>(c + Vector128<T>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Mask512<T>(byte* c) where T : unmanaged =>
        Vector512.Create(Mask256<T>(c), Mask256<T>(c + Vector256<T>.Count));
}
