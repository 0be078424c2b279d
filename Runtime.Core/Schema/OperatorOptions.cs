namespace Accel;

/// <summary>
/// Parsed builtin options of one operator. The loader turns the flatbuffer table into one of these records once,
/// at load time; the model builder writes them back. Field names follow TFLite's schema.
/// </summary>
public abstract record OperatorOptions
{
    /// <summary>The <c>BuiltinOptions</c> union tag this record is written as.</summary>
    public abstract BuiltinOptionsType OptionsType { get; }
}

public sealed record Conv2DOptions(
    Padding Padding, int StrideW, int StrideH, ActivationFunctionType FusedActivation,
    int DilationW = 1, int DilationH = 1) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.Conv2DOptions;
}

public sealed record DepthwiseConv2DOptions(
    Padding Padding, int StrideW, int StrideH, int DepthMultiplier, ActivationFunctionType FusedActivation,
    int DilationW = 1, int DilationH = 1) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.DepthwiseConv2DOptions;
}

public sealed record Pool2DOptions(
    Padding Padding, int StrideW, int StrideH, int FilterWidth, int FilterHeight,
    ActivationFunctionType FusedActivation) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.Pool2DOptions;
}

public sealed record FullyConnectedOptions(
    ActivationFunctionType FusedActivation, byte WeightsFormat = 0, bool KeepNumDims = false,
    bool AsymmetricQuantizeInputs = false) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.FullyConnectedOptions;
}

public sealed record ConcatenationOptions(int Axis, ActivationFunctionType FusedActivation) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ConcatenationOptions;
}

public sealed record AddOptions(ActivationFunctionType FusedActivation, bool PotScaleInt16 = true) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.AddOptions;
}

public sealed record SubOptions(ActivationFunctionType FusedActivation, bool PotScaleInt16 = true) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SubOptions;
}

public sealed record MulOptions(ActivationFunctionType FusedActivation) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.MulOptions;
}

public sealed record DivOptions(ActivationFunctionType FusedActivation) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.DivOptions;
}

/// <summary>RESHAPE's options. <see cref="NewShape"/> is null when the field is absent (the shape then comes from input 1).</summary>
public sealed record ReshapeOptions(int[]? NewShape) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ReshapeOptions;
}

public sealed record ResizeBilinearOptions(bool AlignCorners, bool HalfPixelCenters) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ResizeBilinearOptions;
}

/// <summary>Options of MEAN, SUM and the other reductions.</summary>
public sealed record ReducerOptions(bool KeepDims) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ReducerOptions;
}

/// <summary>ARG_MAX's options: the dtype of the index output (int32 or int64).</summary>
public sealed record ArgMaxOptions(TensorType OutputType) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ArgMaxOptions;
}

/// <summary>ARG_MIN's options: the dtype of the index output (int32 or int64).</summary>
public sealed record ArgMinOptions(TensorType OutputType) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ArgMinOptions;
}

/// <summary>ONE_HOT's options: where the new dimension of size depth goes (−1: last).</summary>
public sealed record OneHotOptions(int Axis) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.OneHotOptions;
}

public sealed record DepthToSpaceOptions(int BlockSize) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.DepthToSpaceOptions;
}

public sealed record SpaceToDepthOptions(int BlockSize) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SpaceToDepthOptions;
}

public sealed record SoftmaxOptions(float Beta) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SoftmaxOptions;
}

public sealed record LeakyReluOptions(float Alpha) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.LeakyReluOptions;
}

public sealed record GeluOptions(bool Approximate) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.GeluOptions;
}

public sealed record L2NormOptions(ActivationFunctionType FusedActivation) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.L2NormOptions;
}

public sealed record LocalResponseNormalizationOptions(int Radius, float Bias, float Alpha, float Beta) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.LocalResponseNormalizationOptions;
}

public sealed record TransposeConvOptions(
    Padding Padding, int StrideW, int StrideH,
    ActivationFunctionType FusedActivation = ActivationFunctionType.None) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.TransposeConvOptions;
}

// ---- data movement (shape and layout operators)

/// <summary>STRIDED_SLICE's options: bit i of each mask refers to entry i of begin/end/strides.</summary>
public sealed record StridedSliceOptions(
    int BeginMask, int EndMask, int EllipsisMask = 0, int NewAxisMask = 0, int ShrinkAxisMask = 0, bool Offset = false) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.StridedSliceOptions;
}

public sealed record GatherOptions(int Axis, int BatchDims = 0) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.GatherOptions;
}

public sealed record SplitOptions(int NumSplits) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SplitOptions;
}

public sealed record SplitVOptions(int NumSplits) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SplitVOptions;
}

public sealed record PackOptions(int ValuesCount, int Axis) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.PackOptions;
}

public sealed record UnpackOptions(int Num, int Axis) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.UnpackOptions;
}

/// <summary>SQUEEZE's options: the dimensions to remove (empty: every dimension of size 1).</summary>
public sealed record SqueezeOptions(int[] SqueezeDims) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.SqueezeOptions;
}

/// <summary>MIRROR_PAD's mode (schema enum MirrorPadMode).</summary>
public enum MirrorPadMode : sbyte
{
    Reflect = 0,
    Symmetric = 1,
}

public sealed record MirrorPadOptions(MirrorPadMode Mode) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.MirrorPadOptions;
}

public sealed record ResizeNearestNeighborOptions(bool AlignCorners, bool HalfPixelCenters) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ResizeNearestNeighborOptions;
}

/// <summary>BATCH_MATMUL's options: adj_x / adj_y transpose the last two dimensions of the left / right operand.</summary>
public sealed record BatchMatMulOptions(bool AdjX, bool AdjY, bool AsymmetricQuantizeInputs = false) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.BatchMatMulOptions;
}

/// <summary>SHAPE's options: the dtype of the output (int32 or int64; int32 when the table is absent).</summary>
public sealed record ShapeOptions(TensorType OutType) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.ShapeOptions;
}

/// <summary>
/// An options table with no fields Accel reads (PadOptions, HardSwishOptions, DequantizeOptions, DensifyOptions, …),
/// or a table of a type Accel does not parse; <see cref="OptionsType"/> keeps the union tag.
/// </summary>
public sealed record EmptyOptions(BuiltinOptionsType Tag) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => Tag;
}
