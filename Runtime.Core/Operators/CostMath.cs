using Accel.Kernels;

namespace Accel.Operators;

/// <summary>Cost arithmetic that saturates instead of overflowing (a malformed model's shapes must not wrap a cost).</summary>
internal static class CostMath
{
    public static long Product(params ReadOnlySpan<long> factors)
    {
        long result = 1;
        foreach (long f in factors)
        {
            if (f <= 0) return 0;
            result = result > long.MaxValue / f ? long.MaxValue : result * f;
        }
        return result;
    }

    /// <summary>Bytes of every input and output of a node (the traffic a naive kernel moves).</summary>
    public static long BytesTouched(KernelContext context)
    {
        long bytes = 0;
        for (int i = 0; i < context.InputCount; i++)
            if (context.OptionalInput(i) is { } t) bytes = Saturate(bytes, Product(t.ElementCount, Math.Max(t.Type.ElementSize(), 1)));
        for (int o = 0; o < context.OutputCount; o++)
        {
            var t = context.Output(o);
            bytes = Saturate(bytes, Product(t.ElementCount, Math.Max(t.Type.ElementSize(), 1)));
        }
        return bytes;
    }

    private static long Saturate(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
