namespace Accel.Testing.OpSuite;

/// <summary>The value sets and generators of the op suite's cases.</summary>
public static class OpValues
{
    /// <summary>
    /// Special values whose only NaN is the default quiet NaN (so an operation with two NaN operands yields the same
    /// bits whichever operand the hardware propagates): ±0, subnormals, the normal minimum, ±max, ±inf, huge values,
    /// the clamp edges, the SpecMath thresholds (Exp overflow 88.72283…, underflow −87, −104) and their bit neighbours.
    /// </summary>
    public static readonly float[] Specials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -3e-39f, 1.1754942E-38f, float.MaxValue, -float.MaxValue,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e30f, -1e30f, 3f, -3f, 6f, -6f, 1f, -1f,
        88.72283f, 88.72284f, -87f, -87.00001f, -104f, -104.00001f, 0.5f, -0.5f, 1e-7f, -1e-7f,
    ];

    /// <summary>
    /// The convolution family's specials: one NaN pattern (x86's default NaN, what 0 × inf produces): where NaNs meet in
    /// an FMA chain, IEEE 754 leaves open which payload survives, and so does the reference itself.
    /// </summary>
    public static readonly float[] ConvSpecials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -3e-39f, float.PositiveInfinity, float.NegativeInfinity,
        float.NaN, 3e38f, -3e38f, 1e20f, -1e20f, 6f, -1f, 1f,
    ];

    /// <summary><see cref="ConvSpecials"/> without NaN (for weights and bias next to <see cref="PayloadNaNs"/> inputs).</summary>
    public static readonly float[] ConvNumbers = ConvSpecials.Where(v => !float.IsNaN(v)).ToArray();

    /// <summary>
    /// NaNs with payloads and either sign, for inputs only (weights and bias then hold no NaN): a NaN operand of an FMA
    /// wins over the accumulator's NaN and over 0 × inf on every x86 form, so these payloads survive exactly.
    /// </summary>
    public static readonly float[] PayloadNaNs =
    [
        BitConverter.Int32BitsToSingle(unchecked((int)0xFFC12345)), BitConverter.Int32BitsToSingle(0x7FC00001),
        BitConverter.Int32BitsToSingle(0x7FFFFFFF),
    ];

    /// <summary>Input specials of a payload case: numbers, and the payload NaNs twice as often.</summary>
    public static readonly float[] ConvInputPayloads = [.. ConvNumbers, .. PayloadNaNs, .. PayloadNaNs];

    /// <summary>
    /// Specials with NaNs of several payloads and both signs (compared as NaN), ±0, ±inf, subnormals, huge values, clamp
    /// edges and exp thresholds: <see cref="DelegateHarness.Specials"/>.
    /// </summary>
    public static IReadOnlyList<float> Mixed => DelegateHarness.Specials;

    /// <summary>Uniform in [−scale, scale), each value replaced by one of <paramref name="specials"/> with probability <paramref name="specialFraction"/>.</summary>
    public static float[] Values(Random random, long count, float scale = 4f, double specialFraction = 0, IReadOnlyList<float>? specials = null)
    {
        specials ??= Specials;
        var values = new float[count];
        for (long i = 0; i < count; i++)
            values[i] = specialFraction > 0 && random.NextDouble() < specialFraction
                ? specials[random.Next(specials.Count)]
                : (random.NextSingle() * 2f - 1f) * scale;
        return values;
    }

    /// <summary>Uniform in [−8, 8) with <see cref="Mixed"/> specials (payload NaNs included: compare with <see cref="NaNPayloads.Unspecified"/>).</summary>
    public static float[] MixedValues(Random random, long count, double specialFraction) => Values(random, count, 8f, specialFraction, Mixed);

    /// <summary><see cref="MixedValues"/> with half the elements replaced by uniformly random bit patterns (every exponent, NaNs, subnormals).</summary>
    public static float[] AnyBits(Random random, int count)
    {
        var values = MixedValues(random, count, 0.2);
        for (int i = 0; i < count; i++)
            if (random.Next(2) == 0) values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        return values;
    }

    /// <summary>Channel counts around the 4-, 8- and 16-lane tails (every count 1..17), plus larger non-multiples.</summary>
    public static readonly int[] Channels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 31, 32, 33, 40, 63, 64, 65, 100];

    /// <summary>Channel counts around every vector width's tail (1, 4, 8, 16 lanes and their doubles): every count 1..17, larger odd sizes and 24, 64.</summary>
    public static readonly int[] TailChannels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 31, 33, 47, 63, 64, 65];

    public static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    public static int Channel(Random random) => Channels[random.Next(Channels.Length)];

    public static int Odd(Random random, int max) => 2 * random.Next((max + 1) / 2) + 1;

    public static int Count(ReadOnlySpan<int> shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    public static string Shape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>The broadcast of two shapes (numpy rules; the shapes are assumed compatible).</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            shape[d] = da == 1 ? db : da;
        }
        return shape;
    }

    /// <summary>SAME/VALID output size as TFLite computes it.</summary>
    public static int OutputSize(Padding padding, int input, int filter, int stride, int dilation = 1)
    {
        int effective = (filter - 1) * dilation + 1;
        return padding == Padding.Same ? (input + stride - 1) / stride : Math.Max(0, (input - effective + stride) / stride);
    }
}
