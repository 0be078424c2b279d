using System.Runtime.InteropServices;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SELECT and SELECT_V2 (docs/numerics.md §SELECT, SELECT_V2): out = condition ? x : y per output element, the element
/// of each operand found through the definition's <see cref="SelectLayout"/> strides (any nonzero condition byte is
/// true). The chosen element is copied bit for bit (bool values as 0 or 1).
/// </summary>
[OpCodes(BuiltinOperator.Select, BuiltinOperator.SelectV2)]
internal sealed class SelectKernel : ReferenceKernel<SelectParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Select, BuiltinOperator.SelectV2];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SelectV2).Types;

    protected override void Invoke(KernelContext context, SelectParams p)
    {
        ReadOnlySpan<byte> condition = context.Input(0).Read<byte>();
        var x = context.Input(1);
        var y = context.Input(2);
        var output = context.Output(0);
        // The chosen element is moved as raw bits of the dtype's width.
        ReadOnlySpan<byte> xs = x.Bytes, ys = y.Bytes;
        Span<byte> os = output.WritableBytes;
        switch (x.Type.ElementSize())
        {
            case 1:
                Run(p.Layout, condition, xs, ys, os, truthValues: x.Type == TensorType.Bool);
                break;
            case 2:
                Run(p.Layout, condition, Cast<ushort>(xs), Cast<ushort>(ys), MemoryMarshal.Cast<byte, ushort>(os), truthValues: false);
                break;
            case 4:
                Run(p.Layout, condition, Cast<uint>(xs), Cast<uint>(ys), MemoryMarshal.Cast<byte, uint>(os), truthValues: false);
                break;
            default:
                Run(p.Layout, condition, Cast<ulong>(xs), Cast<ulong>(ys), MemoryMarshal.Cast<byte, ulong>(os), truthValues: false);
                break;
        }
    }

    private static ReadOnlySpan<T> Cast<T>(ReadOnlySpan<byte> bytes) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes);

    /// <summary>The output in row-major order, an odometer over the output shape carrying the three operand offsets.</summary>
    private static void Run<T>(SelectLayout layout, ReadOnlySpan<byte> condition, ReadOnlySpan<T> x, ReadOnlySpan<T> y,
        Span<T> output, bool truthValues) where T : unmanaged
    {
        int count = layout.ElementCount;
        if (count == 0) return;
        ReadOnlySpan<int> shape = layout.OutputShape, sc = layout.ConditionStrides, sx = layout.XStrides, sy = layout.YStrides;
        int rank = shape.Length;
        Span<int> index = stackalloc int[Math.Max(rank, 1)];
        index.Clear();
        int c = 0, ix = 0, iy = 0;
        for (int o = 0; o < count; o++)
        {
            T value = condition[c] != 0 ? x[ix] : y[iy];
            output[o] = value;
            for (int d = rank - 1; d >= 0; d--)
            {
                c += sc[d];
                ix += sx[d];
                iy += sy[d];
                if (++index[d] < shape[d]) break;
                c -= sc[d] * shape[d];
                ix -= sx[d] * shape[d];
                iy -= sy[d] * shape[d];
                index[d] = 0;
            }
        }
        if (truthValues)
        {
            // Bool results are written as 0 or 1 (§General rules), whatever nonzero byte the chosen operand held.
            var bytes = MemoryMarshal.AsBytes(output);
            for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
        }
    }
}
