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

public sealed record TransposeConvOptions(
    Padding Padding, int StrideW, int StrideH,
    ActivationFunctionType FusedActivation = ActivationFunctionType.None) : OperatorOptions
{
    public override BuiltinOptionsType OptionsType => BuiltinOptionsType.TransposeConvOptions;
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
