using ILGPU;
using ILGPU.Runtime;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The reference's Invoke-time input checks, launched before the node into a two-word status buffer of the partition: a
/// quantized SQRT/RSQRT input below its zero point (equal 0: value &lt; bound) and an integer DIV denominator at its
/// real 0 (equal 1: value == bound; an 8-bit one's zero point, int16/int32 0). Mode 0 (one thread) resets the status, mode 1 does Atomic.Min(status[0], i) for every
/// offender, mode 2 (one thread) stores the value of element status[0], when one offended, in status[1]. The partition
/// reads the status after its launches and throws before any output is downloaded (<see cref="IlgpuCompilation.AddCheck"/>).
/// </summary>
internal static class InputDomainKernel
{
    public static void Compile(IlgpuCompilation c, Tensor input, InputCondition condition, int bound, Func<int, int, Exception> error)
    {
        int total = checked((int)input.ElementCount);
        if (total == 0) return;
        var status = c.AddCheck(error);
        var (chunks, chunkSize) = c.Split(total, 1);
        int equal = condition == InputCondition.Equal ? 1 : 0;
        if (input.Type == TensorType.Int32)
        {
            var view = c.View(input).Cast<int>();
            var kernel = c.Load<ArrayView<int>, ArrayView<uint>, int, int, int, int, int>(Check32);
            for (int mode = 0; mode < 3; mode++)
            {
                int m = mode, n = mode == 1 ? chunks : 1;
                c.Add(() => kernel(n, view, status, total, bound, equal, m, chunkSize), n);
            }
        }
        else if (input.Type == TensorType.Int16)
        {
            var view = c.View(input).Cast<short>();
            var kernel = c.Load<ArrayView<short>, ArrayView<uint>, int, int, int, int, int>(Check16);
            for (int mode = 0; mode < 3; mode++)
            {
                int m = mode, n = mode == 1 ? chunks : 1;
                c.Add(() => kernel(n, view, status, total, bound, equal, m, chunkSize), n);
            }
        }
        else
        {
            var view = QuantizedKernels.Bytes(c, input);
            int signed = input.Type == TensorType.Int8 ? 1 : 0;
            var kernel = c.Load<ArrayView<byte>, ArrayView<uint>, int, int, int, int, int, int>(Check8);
            for (int mode = 0; mode < 3; mode++)
            {
                int m = mode, n = mode == 1 ? chunks : 1;
                c.Add(() => kernel(n, view, status, total, bound, equal, signed, m, chunkSize), n);
            }
        }
    }

    private static bool Offends(int value, int bound, int equal) => equal != 0 ? value == bound : value < bound;

    public static void Check16(Index1D chunk, ArrayView<short> input, ArrayView<uint> status, int total, int bound, int equal, int mode, int chunkSize)
    {
        if (mode == 0) Reset(status);
        else if (mode == 2) { if (status[0] != uint.MaxValue) status[1] = (uint)(int)input[(int)status[0]]; }
        else
        {
            int start = chunk * chunkSize;
            int end = start + chunkSize < total ? start + chunkSize : total;
            for (int i = start; i < end; i++)
                if (Offends(input[i], bound, equal)) Atomic.Min(ref status[0], (uint)i);
        }
    }

    public static void Check32(Index1D chunk, ArrayView<int> input, ArrayView<uint> status, int total, int bound, int equal, int mode, int chunkSize)
    {
        if (mode == 0) Reset(status);
        else if (mode == 2) { if (status[0] != uint.MaxValue) status[1] = (uint)input[(int)status[0]]; }
        else
        {
            int start = chunk * chunkSize;
            int end = start + chunkSize < total ? start + chunkSize : total;
            for (int i = start; i < end; i++)
                if (Offends(input[i], bound, equal)) Atomic.Min(ref status[0], (uint)i);
        }
    }

    public static void Check8(Index1D chunk, ArrayView<byte> input, ArrayView<uint> status, int total, int bound, int equal, int signed, int mode,
        int chunkSize)
    {
        if (mode == 0) Reset(status);
        else if (mode == 2) { if (status[0] != uint.MaxValue) status[1] = (uint)QuantizedKernels.Load(input, (int)status[0], signed); }
        else
        {
            int start = chunk * chunkSize;
            int end = start + chunkSize < total ? start + chunkSize : total;
            for (int i = start; i < end; i++)
                if (Offends(QuantizedKernels.Load(input, i, signed), bound, equal)) Atomic.Min(ref status[0], (uint)i);
        }
    }

    private static void Reset(ArrayView<uint> status)
    {
        status[0] = uint.MaxValue;
        status[1] = 0;
    }
}

/// <summary>
/// Quantized SQRT and RSQRT: <see cref="InputDomainKernel"/>'s check (none when the type's minimum is the zero point),
/// then the lookup — int16 the reference's step over every int16 value as a 65,536-entry table, int8 the definition's table.
/// </summary>
internal static class NonNegativeLookupKernel
{
    public static void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ElementwiseParams>();
        var input = node.Inputs[0]!;
        int minimum = p.QuantizedInputMinimum!.Value;
        if (minimum > (input.Type == TensorType.Int16 ? short.MinValue : sbyte.MinValue))
            InputDomainKernel.Compile(c, input, InputCondition.Below, minimum, (index, value) => InputDomain.BelowZeroPoint(node, index, value, minimum));
        if (p.TabulateInt16(node.Builtin) is { } table16) Int16LookupKernel.Compile(node, c, table16);
        else QuantizedLookupKernel.Compile(node, c);
    }
}
