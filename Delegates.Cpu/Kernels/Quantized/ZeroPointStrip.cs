using System.Runtime.CompilerServices;
namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// A strip of an input row's columns for a tile whose taps leave the input: the columns inside the row copied, the
/// input's zero point in every other column (a zero-point tap adds (x + x_off)·w = 0, as the reference's skipped tap).
/// </summary>
internal static unsafe class ZeroPointStrip
{
    /// <summary>
    /// Columns [<paramref name="column"/>, + <paramref name="span"/>) of <paramref name="row"/> (null: a row outside the
    /// input) into <paramref name="strip"/>, <paramref name="channels"/> bytes a column, the zero point outside
    /// [0, <paramref name="width"/>).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Fill(byte* strip, byte* row, int column, int span, int width, int channels, byte zeroPoint)
    {
        int from = Math.Max(column, 0), to = Math.Min(column + span, width), bytes = span * channels;
        bool copies = row != null && to > from;
        if (!copies || from > column || to < column + span) Vectorized.Fills.Bytes(strip, bytes, zeroPoint);
        if (copies) Buffer.MemoryCopy(row + (nint)from * channels, strip + (nint)(from - column) * channels, bytes, (nint)(to - from) * channels);
    }
}
