using System.Buffers.Binary;

namespace Accel.Fuzz;

/// <summary>
/// Makes mutants of TFLite models. Most mutations are structure-aware — they rewrite one schema field found by
/// <see cref="MutationSites"/> (a shape dimension, a dtype, a tensor/buffer/opcode index, an option value, a vector
/// length, a quantization scale or zero point, a sparsity field, an offset) with a value chosen to break assumptions
/// (0, −1, 2^30, 2^31−1, values whose products overflow, NaN, ±∞ …); the rest are byte-level (bit flips, interesting
/// bytes, chunk copies, truncation, splicing with another input). Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class ModelMutator
{
    /// <summary>Values that overflow sizes, offsets and products, or sit on a boundary.</summary>
    internal static readonly int[] InterestingInt32 =
    [
        0, 1, -1, 2, 3, 4, 5, 7, 8, 16, 17, 31, 32, 64, 127, 128, 255, 256, 1023, 1024, 4096, 32767, 32768, 65535, 65536,
        -2, -128, -129, -32768, 1 << 20, 1 << 24, 1 << 30, int.MaxValue, int.MaxValue - 1, int.MinValue, 715827883,
        46341, 0x10001, 0x7FFFFFF0,
    ];

    internal static readonly float[] InterestingFloat =
    [
        0f, -0f, 1f, -1f, 0.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue,
        -float.MaxValue, 1e-30f, 1e30f, 65504f, 3.0517578e-5f,
    ];

    internal static readonly long[] InterestingInt64 =
    [
        0, 1, -1, 127, 128, -128, 255, 256, -129, 32767, -32768, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue,
        1L << 32, 1L << 40,
    ];

    private static readonly byte[] InterestingBytes = [0, 1, 2, 3, 9, 10, 16, 17, 0x7F, 0x80, 0xFE, 0xFF];

    /// <summary>The upper bound of a mutant's size: mutations never grow an input beyond it.</summary>
    public int MaxInputBytes { get; init; } = 16 << 20;

    /// <summary>
    /// A mutant of <paramref name="input"/>: 1–4 stacked mutations, structure-aware with probability 3/4 each.
    /// <paramref name="other"/> (another corpus input) is used for splicing.
    /// </summary>
    public byte[] Mutate(byte[] input, byte[]? other, Random random)
    {
        byte[] data = (byte[])input.Clone();
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            if (random.Next(4) != 0)
            {
                var sites = MutationSites.Find(data);
                if (sites.Count > 0)
                {
                    MutateSite(data, sites[random.Next(sites.Count)], random);
                    continue;
                }
            }
            data = MutateBytes(data, other, random);
        }
        return data;
    }

    /// <summary>Rewrites the field at <paramref name="site"/> in place.</summary>
    internal static void MutateSite(byte[] data, MutationSite site, Random random)
    {
        var span = data.AsSpan(site.Position);
        switch (site.Kind)
        {
            case SiteKind.Byte:
                span[0] = random.Next(3) switch
                {
                    0 => InterestingBytes[random.Next(InterestingBytes.Length)],
                    1 => (byte)(span[0] + (random.Next(2) == 0 ? 1 : -1)),
                    _ => (byte)random.Next(256),
                };
                break;
            case SiteKind.Int32:
            {
                int old = BinaryPrimitives.ReadInt32LittleEndian(span);
                BinaryPrimitives.WriteInt32LittleEndian(span, NewInt32(old, random));
                break;
            }
            case SiteKind.Float:
            {
                float value = random.Next(3) == 0
                    ? BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31))
                    : InterestingFloat[random.Next(InterestingFloat.Length)];
                BinaryPrimitives.WriteSingleLittleEndian(span, value);
                break;
            }
            case SiteKind.Int64:
            {
                long old = BinaryPrimitives.ReadInt64LittleEndian(span);
                long value = random.Next(3) switch
                {
                    0 => InterestingInt64[random.Next(InterestingInt64.Length)],
                    1 => old + random.Next(-2, 3),
                    _ => NewInt32((int)old, random),
                };
                BinaryPrimitives.WriteInt64LittleEndian(span, value);
                break;
            }
            case SiteKind.VectorLength:
            {
                uint old = BinaryPrimitives.ReadUInt32LittleEndian(span);
                uint value = random.Next(4) switch
                {
                    0 => 0,
                    1 => (uint)Math.Max(0, (long)old + random.Next(-2, 3)),
                    2 => (uint)InterestingInt32[random.Next(InterestingInt32.Length)],
                    _ => old * 2 + 1,
                };
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
                break;
            }
            case SiteKind.Offset:
            {
                uint old = BinaryPrimitives.ReadUInt32LittleEndian(span);
                uint value = random.Next(3) switch
                {
                    0 => old + (uint)(4 * random.Next(-3, 4)),
                    1 => (uint)InterestingInt32[random.Next(InterestingInt32.Length)],
                    _ => (uint)random.Next(data.Length),
                };
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
                break;
            }
        }
    }

    private static int NewInt32(int old, Random random) => random.Next(6) switch
    {
        0 or 1 => InterestingInt32[random.Next(InterestingInt32.Length)],
        2 => old + random.Next(-3, 4),
        3 => unchecked(old * 2),
        4 => -old,
        _ => random.Next(int.MinValue, int.MaxValue),
    };

    internal byte[] MutateBytes(byte[] data, byte[]? other, Random random)
    {
        if (data.Length == 0) return [(byte)random.Next(256)];
        int at = random.Next(data.Length);
        switch (random.Next(7))
        {
            case 0:
                data[at] ^= (byte)(1 << random.Next(8));
                return data;
            case 1:
                data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                return data;
            case 2 when at + 4 <= data.Length:
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(at), InterestingInt32[random.Next(InterestingInt32.Length)]);
                return data;
            case 3:
                // Truncation: what a half-downloaded file looks like.
                return data[..Math.Max(1, at)];
            case 4:
            {
                // Copy a chunk over another place (keeps the length: offsets elsewhere stay meaningful).
                int length = 1 + random.Next(Math.Min(64, data.Length));
                int from = random.Next(data.Length - length + 1);
                int to = random.Next(data.Length - length + 1);
                Buffer.BlockCopy(data, from, data, to, length);
                return data;
            }
            case 5 when data.Length < MaxInputBytes:
            {
                // Insert bytes: every offset crossing the point now lands elsewhere.
                int length = 1 + random.Next(16);
                var grown = new byte[data.Length + length];
                Buffer.BlockCopy(data, 0, grown, 0, at);
                random.NextBytes(grown.AsSpan(at, length));
                Buffer.BlockCopy(data, at, grown, at + length, data.Length - at);
                return grown;
            }
            default:
            {
                // Splice: this input's head with the other's tail.
                if (other is null || other.Length == 0) goto case 0;
                int cut = random.Next(Math.Min(data.Length, other.Length));
                int length = Math.Min(MaxInputBytes, other.Length);
                var spliced = new byte[length];
                Buffer.BlockCopy(data, 0, spliced, 0, cut);
                Buffer.BlockCopy(other, cut, spliced, cut, length - cut);
                return spliced;
            }
        }
    }
}
