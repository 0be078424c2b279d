namespace Accel.Conversion;

/// <summary>
/// An ONNX model could not be converted: the file is not ONNX, an opset is outside 9–21, a shape is left dynamic, or
/// nodes have no TFLite form. <see cref="Nodes"/> names every node at fault (all of them at once, so one run lists
/// everything to fix); the message names them too.
/// </summary>
public sealed class OnnxConversionException : AccelException
{
    public IReadOnlyList<string> Nodes { get; }

    public OnnxConversionException(string message, IReadOnlyList<string>? nodes = null) : base(message)
    {
        Nodes = nodes ?? Array.Empty<string>();
    }

    public OnnxConversionException(string message, Exception inner) : base(message, inner)
    {
        Nodes = Array.Empty<string>();
    }
}
