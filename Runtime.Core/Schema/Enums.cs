namespace Accel;

/// <summary>TFLite's <c>Padding</c> enum.</summary>
public enum Padding : sbyte
{
    Same = 0,
    Valid = 1,
}

/// <summary>TFLite's <c>ActivationFunctionType</c> enum (a fused activation applied to an op's output).</summary>
public enum ActivationFunctionType : sbyte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}

/// <summary>TFLite's <c>DimensionType</c> for sparse tensors.</summary>
public enum DimensionType : sbyte
{
    Dense = 0,
    SparseCsr = 1,
}

/// <summary>TFLite's <c>SparseIndexVector</c> union tags.</summary>
public enum SparseIndexVectorType : byte
{
    None = 0,
    Int32Vector = 1,
    Uint16Vector = 2,
    Uint8Vector = 3,
}

/// <summary>
/// Tags of TFLite's <c>BuiltinOptions</c> union, numbered as in the schema (NONE = 0, then 1-based declaration order).
/// Only the tags Accel reads or writes are named; others are carried as their number.
/// </summary>
public enum BuiltinOptionsType : byte
{
    None = 0,
    Conv2DOptions = 1,
    DepthwiseConv2DOptions = 2,
    Pool2DOptions = 5,
    FullyConnectedOptions = 8,
    SoftmaxOptions = 9,
    ConcatenationOptions = 10,
    AddOptions = 11,
    ResizeBilinearOptions = 15,
    ReshapeOptions = 17,
    SpaceToDepthOptions = 19,
    MulOptions = 21,
    PadOptions = 22,
    TransposeOptions = 26,
    ReducerOptions = 27,
    SubOptions = 28,
    DivOptions = 29,
    SqueezeOptions = 30,
    TopKV2Options = 34,
    DequantizeOptions = 38,
    PadV2Options = 43,
    TransposeConvOptions = 49,
    ShapeOptions = 55,
    ZerosLikeOptions = 67,
    FillOptions = 68,
    RangeOptions = 73,
    HardSwishOptions = 91,
    DepthToSpaceOptions = 94,
    NonMaxSuppressionV4Options = 95,
    NonMaxSuppressionV5Options = 96,
    DensifyOptions = 99,
}
