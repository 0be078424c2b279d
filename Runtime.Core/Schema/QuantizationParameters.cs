namespace Accel;

/// <summary>
/// Affine quantization of a tensor: real = scale * (q - zero_point), per tensor (one scale) or per channel along
/// <see cref="QuantizedDimension"/>. Empty arrays mean "not quantized".
/// </summary>
public sealed record QuantizationParameters(
    float[] Scale, long[] ZeroPoint, int QuantizedDimension, float[] Min, float[] Max)
{
    public static readonly QuantizationParameters None = new([], [], 0, [], []);

    public bool IsQuantized => Scale.Length > 0;
}

/// <summary>One dimension of a sparse tensor's storage (TFLite's <c>DimensionMetadata</c>).</summary>
public sealed record SparseDimension(DimensionType Format, int DenseSize, int[] ArraySegments, int[] ArrayIndices);

/// <summary>TFLite's <c>SparsityParameters</c>: a TACO-style description of how a sparse constant is stored.</summary>
public sealed record SparsityParameters(int[] TraversalOrder, int[] BlockMap, SparseDimension[] DimensionMetadata);
