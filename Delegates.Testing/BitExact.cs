namespace Accel.Testing;

/// <summary>Bit-for-bit comparison of a delegate's outputs with the reference's (docs/numerics.md).</summary>
public static class BitExact
{
    /// <summary>
    /// Null when every output is bit-identical, any NaN equalling any NaN (§NaN: sign and payload unspecified);
    /// otherwise the first difference with both values and bit patterns. −0 and +0 differ.
    /// </summary>
    public static string? FirstMismatch(float[][] expected, float[][] actual, string backend)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} outputs, expected {expected.Length}";
        for (int o = 0; o < expected.Length; o++)
        {
            if (expected[o].Length != actual[o].Length) return $"output {o} has {actual[o].Length} elements, expected {expected[o].Length}";
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                if (e != a && !(float.IsNaN(expected[o][i]) && float.IsNaN(actual[o][i])))
                    return $"output {o} element {i}: reference {expected[o][i]:R} (0x{e:X8}), {backend} {actual[o][i]:R} (0x{a:X8})";
            }
        }
        return null;
    }

    /// <summary>
    /// As <see cref="FirstMismatch"/>, but every bit counts, NaN sign and payload included: for pure data movement, and
    /// for backends that promise the reference's NaN bits.
    /// </summary>
    public static string? FirstMismatchExact(float[][] expected, float[][] actual, string backend)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} outputs, expected {expected.Length}";
        for (int o = 0; o < expected.Length; o++)
        {
            if (expected[o].Length != actual[o].Length) return $"output {o} has {actual[o].Length} elements, expected {expected[o].Length}";
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                if (e != a)
                    return $"output {o} element {i}: reference {expected[o][i]:R} (0x{e:X8}), {backend} {actual[o][i]:R} (0x{a:X8}) (NaN bits compared)";
            }
        }
        return null;
    }
}
