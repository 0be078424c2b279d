namespace Accel;

/// <summary>Element type of a tensor, with the numeric values of TFLite's schema (<c>tflite::TensorType</c>).</summary>
public enum TensorType : sbyte
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    String = 5,
    Bool = 6,
    Int16 = 7,
    Complex64 = 8,
    Int8 = 9,
    Float64 = 10,
    Complex128 = 11,
    UInt64 = 12,
    Resource = 13,
    Variant = 14,
    UInt32 = 15,
    UInt16 = 16,
    Int4 = 17,
    BFloat16 = 18,
}

public static class TensorTypeExtensions
{
    /// <summary>Bytes per element, or 0 for types without a fixed element size (string, resource, variant, int4).</summary>
    public static int ElementSize(this TensorType type) => type switch
    {
        TensorType.Float32 or TensorType.Int32 or TensorType.UInt32 => 4,
        TensorType.Float16 or TensorType.Int16 or TensorType.UInt16 or TensorType.BFloat16 => 2,
        TensorType.UInt8 or TensorType.Int8 or TensorType.Bool => 1,
        TensorType.Int64 or TensorType.UInt64 or TensorType.Float64 or TensorType.Complex64 => 8,
        TensorType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>Lower-case name as TFLite and NumPy print it (float32, int8, …).</summary>
    public static string ToDisplayName(this TensorType type) => type switch
    {
        TensorType.Float32 => "float32",
        TensorType.Float16 => "float16",
        TensorType.Int32 => "int32",
        TensorType.UInt8 => "uint8",
        TensorType.Int64 => "int64",
        TensorType.String => "string",
        TensorType.Bool => "bool",
        TensorType.Int16 => "int16",
        TensorType.Complex64 => "complex64",
        TensorType.Int8 => "int8",
        TensorType.Float64 => "float64",
        TensorType.Complex128 => "complex128",
        TensorType.UInt64 => "uint64",
        TensorType.Resource => "resource",
        TensorType.Variant => "variant",
        TensorType.UInt32 => "uint32",
        TensorType.UInt16 => "uint16",
        TensorType.Int4 => "int4",
        TensorType.BFloat16 => "bfloat16",
        _ => $"unknown({(int)type})",
    };
}
