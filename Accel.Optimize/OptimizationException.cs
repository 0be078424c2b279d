namespace Accel.Optimize;

/// <summary>
/// The optimizer refused its input: an already-quantized model, a calibration sample that does not fit or does not
/// decode, an empty calibration set, an option out of range. The message names what and where.
/// </summary>
public sealed class OptimizationException : AccelException
{
    public OptimizationException(string message) : base(message) { }
    public OptimizationException(string message, Exception inner) : base(message, inner) { }
}
