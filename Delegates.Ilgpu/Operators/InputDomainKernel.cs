using ILGPU;
using ILGPU.Runtime;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The reference's Invoke-time input check of quantized SQRT and RSQRT (an element below the input's zero point is an
/// error naming it), launched before the node's lookup into a two-word status buffer of the partition: mode 0 (one
/// thread) resets it, mode 1 does Atomic.Min(status[0], i) for every element below the minimum, mode 2 (one thread)
/// stores the value of element status[0], when one offended, in status[1]. The partition reads the status after its
/// launches and throws before any output is downloaded (<see cref="IlgpuCompilation.AddCheck"/>).
/// </summary>
internal static class InputDomainKernel
{
    public static void Compile(DelegateNode node, IlgpuCompilation c, int minimum)
    {
        var input = node.Inputs[0]!;
        int total = checked((int)input.ElementCount);
        if (total == 0) return;
        var status = c.AddCheck((index, value) => InputDomain.BelowZeroPoint(node, index, value, minimum));
        var (chunks, chunkSize) = c.Split(total, 1);
        if (input.Type == TensorType.Int16)
        {
            var view = c.View(input).Cast<short>();
            var kernel = c.Load<ArrayView<short>, ArrayView<uint>, int, int, int, int>(Check16);
            c.Add(() => kernel(1, view, status, total, minimum, 0, chunkSize), 1);
            c.Add(() => kernel(chunks, view, status, total, minimum, 1, chunkSize), chunks);
            c.Add(() => kernel(1, view, status, total, minimum, 2, chunkSize), 1);
        }
        else
        {
            var view = QuantizedKernels.Bytes(c, input);
            var kernel = c.Load<ArrayView<byte>, ArrayView<uint>, int, int, int, int>(Check8);
            c.Add(() => kernel(1, view, status, total, minimum, 0, chunkSize), 1);
            c.Add(() => kernel(chunks, view, status, total, minimum, 1, chunkSize), chunks);
            c.Add(() => kernel(1, view, status, total, minimum, 2, chunkSize), 1);
        }
    }

    public static void Check16(Index1D chunk, ArrayView<short> input, ArrayView<uint> status, int total, int minimum, int mode, int chunkSize)
    {
        if (mode == 0) Reset(status);
        else if (mode == 2) { if (status[0] != uint.MaxValue) status[1] = (uint)(int)input[(int)status[0]]; }
        else
        {
            int start = chunk * chunkSize;
            int end = start + chunkSize < total ? start + chunkSize : total;
            for (int i = start; i < end; i++)
                if (input[i] < minimum) Atomic.Min(ref status[0], (uint)i);
        }
    }

    public static void Check8(Index1D chunk, ArrayView<byte> input, ArrayView<uint> status, int total, int minimum, int mode, int chunkSize)
    {
        if (mode == 0) Reset(status);
        else if (mode == 2) { if (status[0] != uint.MaxValue) status[1] = (uint)(int)(sbyte)input[(int)status[0]]; }
        else
        {
            int start = chunk * chunkSize;
            int end = start + chunkSize < total ? start + chunkSize : total;
            for (int i = start; i < end; i++)
                if ((sbyte)input[i] < minimum) Atomic.Min(ref status[0], (uint)i);
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
        if (minimum > (input.Type == TensorType.Int16 ? short.MinValue : sbyte.MinValue)) InputDomainKernel.Compile(node, c, minimum);
        if (p.TabulateInt16(node.Builtin) is { } table16) Int16LookupKernel.Compile(node, c, table16);
        else QuantizedLookupKernel.Compile(node, c);
    }
}
