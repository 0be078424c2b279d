using System.Runtime.CompilerServices;

namespace Accel;

/// <summary>
/// The cancellation state of one interpreter's Invoke: <see cref="Interpreter.Cancel"/>'s flag and the token of the
/// running <see cref="Interpreter.Invoke(CancellationToken)"/>. Checked between steps and, through
/// <see cref="Kernels.KernelContext.ThrowIfCancellationRequested"/>, inside long kernel loops; a check is a volatile
/// read and a token read, no allocation.
/// </summary>
internal sealed class InvokeCancellation
{
    private volatile bool _cancelRequested;
    private CancellationToken _token;

    /// <summary>Starts an invoke: as TFLite's, a Cancel() made before it does not carry over into it.</summary>
    public void Begin(CancellationToken token)
    {
        _token = token;
        _cancelRequested = false;
    }

    /// <summary>Ends an invoke: a later Cancel() affects no running work; the token is not kept.</summary>
    public void End() => _token = default;

    /// <summary>Asks the running invoke to stop at its next check (any thread).</summary>
    public void Request() => _cancelRequested = true;

    public bool IsRequested => _cancelRequested || _token.IsCancellationRequested;

    /// <summary>Small enough to inline into the optimized invoke loop; the throw lives in <see cref="ThrowCancelled"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfRequested()
    {
        if (_cancelRequested) ThrowCancelled();
        _token.ThrowIfCancellationRequested();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCancelled() => throw new OperationCanceledException("Invoke was cancelled by Interpreter.Cancel().");
}
