using System.Buffers.Binary;

namespace Accel.Fuzz;

/// <summary>
/// Mutants of encoded images: the byte-level mutations of <see cref="ModelMutator"/> (flips, interesting bytes,
/// truncation, chunk copies, insertions, splices with another image), plus big-endian interesting 32- and 16-bit
/// values (PNG's IHDR width/height and chunk lengths, JPEG's SOF dimensions and segment lengths are big-endian) written
/// at a random offset of the first 64 bytes, where the headers live.
/// </summary>
internal static class ImageMutator
{
    private static readonly ushort[] InterestingUInt16 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];

    public static byte[] Mutate(ModelMutator bytes, byte[] input, byte[]? other, Random random)
    {
        byte[] data = (byte[])input.Clone();
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            int header = Math.Min(64, data.Length);
            switch (random.Next(4))
            {
                case 0 when header >= 4:
                    BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(random.Next(header - 3)),
                        ModelMutator.InterestingInt32[random.Next(ModelMutator.InterestingInt32.Length)]);
                    break;
                case 1 when header >= 2:
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(random.Next(header - 1)), InterestingUInt16[random.Next(InterestingUInt16.Length)]);
                    break;
                default:
                    data = bytes.MutateBytes(data, other, random);
                    break;
            }
        }
        return data;
    }
}
