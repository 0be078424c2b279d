using Silk.NET.OpenCL;

namespace Accel.Delegates.OpenCL;

/// <summary>An OpenCL call failed, a wait timed out, or a program did not build; <see cref="ErrorCode"/> is the cl_int status.</summary>
public sealed class OpenClException : AccelException
{
    /// <summary>CL_SUCCESS's neighbour used for a wait that timed out (not an OpenCL status).</summary>
    public const int TimeoutCode = 1;

    public OpenClException(string message, int errorCode) : base(message) => ErrorCode = errorCode;

    /// <summary>The OpenCL status (e.g. -11 CL_BUILD_PROGRAM_FAILURE), or <see cref="TimeoutCode"/> for a wait that timed out.</summary>
    public int ErrorCode { get; }

    /// <summary>The status's name (ErrorCodes), or the number when Silk.NET does not know it.</summary>
    public static string Name(int code) =>
        code == TimeoutCode ? "timeout" : Enum.IsDefined(typeof(ErrorCodes), code) ? $"{(ErrorCodes)code} ({code})" : code.ToString();
}

/// <summary>Counts of live OpenCL objects (lifetime tests: zero after Dispose) and buffer bytes. Per device, not static.</summary>
internal sealed class OpenClObjectCounter
{
    private int _live;
    private long _bytes;

    public int Live => Volatile.Read(ref _live);
    public long BufferBytes => Interlocked.Read(ref _bytes);

    public void Created(long bytes = 0)
    {
        Interlocked.Increment(ref _live);
        if (bytes != 0) Interlocked.Add(ref _bytes, bytes);
    }

    public void Released(long bytes = 0)
    {
        Interlocked.Decrement(ref _live);
        if (bytes != 0) Interlocked.Add(ref _bytes, -bytes);
    }
}

/// <summary>A cl_mem buffer of <see cref="Size"/> bytes (at least 4: OpenCL refuses empty buffers).</summary>
internal sealed class OpenClBuffer(nint handle, long size)
{
    public nint Handle { get; private set; } = handle;
    public long Size { get; } = size;
    public bool Released => Handle == 0;
    internal void MarkReleased() => Handle = 0;
}
