namespace Accel.Operators;

/// <summary>
/// The identity of an operator, independent of its version: a builtin code, or the code of a custom operator.
/// The one key every registry (definitions, reference, cpu, vulkan, ilgpu …) is indexed by.
/// </summary>
public readonly record struct OpId
{
    private OpId(BuiltinOperator builtin, string? custom)
    {
        Builtin = builtin;
        Custom = custom;
    }

    public BuiltinOperator Builtin { get; }

    /// <summary>The custom code for custom operators; null for builtins.</summary>
    public string? Custom { get; }

    public bool IsCustom => Builtin == BuiltinOperator.Custom;

    /// <summary>CONV_2D for builtins, the custom code for custom operators.</summary>
    public string Name => IsCustom ? Custom ?? "CUSTOM" : Builtin.ToSchemaName();

    public static OpId Of(BuiltinOperator builtin)
    {
        if (builtin == BuiltinOperator.Custom) throw new ArgumentException("A custom operator is identified by its code: use OpId.OfCustom.", nameof(builtin));
        return new OpId(builtin, null);
    }

    public static OpId OfCustom(string customCode)
    {
        ArgumentException.ThrowIfNullOrEmpty(customCode);
        return new OpId(BuiltinOperator.Custom, customCode);
    }

    /// <summary>The identity of a model's operator code (its version is not part of it).</summary>
    public static OpId From(OperatorCode code) =>
        code.Builtin == BuiltinOperator.Custom ? new OpId(BuiltinOperator.Custom, code.CustomCode ?? "") : new OpId(code.Builtin, null);

    public static implicit operator OpId(BuiltinOperator builtin) => Of(builtin);

    public override string ToString() => Name;
}

/// <summary>Codes of the custom operators Accel ships definitions for (spelled once, here).</summary>
public static class CustomOps
{
    /// <summary>MediaPipe's transposed convolution with bias (selfie segmentation).</summary>
    public const string Convolution2DTransposeBias = "Convolution2DTransposeBias";

    /// <summary>TFLite's SSD post-processing (box decoding and non-max suppression), the last op of TF Object Detection API models.</summary>
    public const string DetectionPostProcess = "TFLite_Detection_PostProcess";
}
