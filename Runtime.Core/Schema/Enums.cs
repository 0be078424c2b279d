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
    L2NormOptions = 12,
    LocalResponseNormalizationOptions = 13,
    ResizeBilinearOptions = 15,
    ReshapeOptions = 17,
    SpaceToDepthOptions = 19,
    MulOptions = 21,
    PadOptions = 22,
    GatherOptions = 23,
    BatchToSpaceNDOptions = 24,
    SpaceToBatchNDOptions = 25,
    TransposeOptions = 26,
    ReducerOptions = 27,
    SubOptions = 28,
    DivOptions = 29,
    SqueezeOptions = 30,
    StridedSliceOptions = 32,
    TopKV2Options = 34,
    SplitOptions = 35,
    DequantizeOptions = 38,
    ArgMaxOptions = 40,
    PadV2Options = 43,
    SliceOptions = 48,
    TransposeConvOptions = 49,
    TileOptions = 51,
    ExpandDimsOptions = 52,
    ShapeOptions = 55,
    ArgMinOptions = 57,
    PackOptions = 59,
    OneHotOptions = 61,
    UnpackOptions = 64,
    ZerosLikeOptions = 67,
    FillOptions = 68,
    RangeOptions = 73,
    ResizeNearestNeighborOptions = 74,
    LeakyReluOptions = 75,
    MirrorPadOptions = 77,
    SplitVOptions = 79,
    ReverseV2Options = 81,
    GatherNdOptions = 83,
    HardSwishOptions = 91,
    DepthToSpaceOptions = 94,
    NonMaxSuppressionV4Options = 95,
    NonMaxSuppressionV5Options = 96,
    DensifyOptions = 99,
    BatchMatMulOptions = 101,
    BroadcastToOptions = 104,
    GeluOptions = 116,
}
