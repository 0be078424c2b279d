namespace Accel.Testing;

/// <summary>
/// Adversarial (x, multiplier, shift) triples for MultiplyByQuantizedMultiplier (docs/numerics.md §Quantized
/// execution): int32 extremes and rounding halves of x, mantissas at 0, 2^30, 2^31 − 1 and int.MinValue (the saturating
/// case of the doubling high multiply), every shift from −31 to 31 (left shifts that wrap), and random triples.
/// </summary>
public static class RequantizationValues
{
    public static (int X, int Multiplier, int Shift)[] Triples(int seed, int randomCount)
    {
        int[] xs =
        [
            0, 1, -1, 2, -2, 3, -3, 100, -100, 12345, -12345, int.MaxValue, int.MinValue, int.MinValue + 1, int.MaxValue - 1,
            1 << 30, -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1, (1 << 30) - 1, 1 << 15, -(1 << 15), (1 << 16) + (1 << 15), -((1 << 16) + (1 << 15)),
        ];
        int[] multipliers = [0, 1, 1 << 30, (1 << 30) + 1, int.MaxValue, int.MaxValue - 1, 1518500250, 1431655765, int.MinValue, -1, -(1 << 30)];
        var triples = new List<(int, int, int)>();
        foreach (int x in xs)
        foreach (int m in multipliers)
            for (int shift = -31; shift <= 31; shift++)
                triples.Add((x, m, shift));
        var random = new Random(seed);
        for (int i = 0; i < randomCount; i++)
        {
            int x = random.Next(4) switch { 0 => random.Next(-300, 300), 1 => random.Next(-1 << 20, 1 << 20), _ => random.Next(int.MinValue, int.MaxValue) };
            int m = random.Next(1 << 30, int.MaxValue);
            int shift = random.Next(-31, 8);
            triples.Add((x, m, shift));
        }
        return [.. triples];
    }
}
