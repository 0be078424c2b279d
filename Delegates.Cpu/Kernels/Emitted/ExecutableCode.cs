using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Emitted;

/// <summary>
/// Machine code in pages of its own (Linux x64): mapped read+write with <c>mmap</c>, the bytes copied in, then
/// <c>mprotect</c> to read+execute, so the pages are never writable and executable at once (W^X). Freed with
/// <c>munmap</c> when disposed or finalized. <see cref="TryCreate"/> returns null with the reason where the system
/// refuses (a hardened kernel's policy, an unknown libc): the caller then runs its managed path.
/// </summary>
internal sealed unsafe class ExecutableCode : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    private nint _address;
    private readonly nuint _length;

    private ExecutableCode(nint address, nuint length) => (_address, _length) = (address, length);

    ~ExecutableCode() => Release();

    /// <summary>The first byte of the code (offsets into it are the entry points).</summary>
    public byte* Address
    {
        // Read by the emitted GEMM's per-panel calls: inlined there rather than called (tier-0 code in an IL build).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _address != 0 ? (byte*)_address : throw new ObjectDisposedException(nameof(ExecutableCode));
    }

    /// <summary>Maps <paramref name="code"/> executable, or gives null and why not.</summary>
    public static ExecutableCode? TryCreate(ReadOnlySpan<byte> code, out string? refusal)
    {
        refusal = null;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            refusal = "emitted code runs on Linux x64 only";
            return null;
        }
        nuint length = (nuint)((code.Length + 4095) / 4096 * 4096);
        try
        {
            nint address = Mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (address == -1 || address == 0)
            {
                refusal = $"mmap refused a {length}-byte read+write mapping (errno {Marshal.GetLastPInvokeError()})";
                return null;
            }
            code.CopyTo(new Span<byte>((void*)address, code.Length));
            if (Mprotect(address, length, ProtRead | ProtExec) != 0)
            {
                refusal = $"mprotect refused read+execute (errno {Marshal.GetLastPInvokeError()})";
                _ = Munmap(address, length);
                return null;
            }
            return new ExecutableCode(address, length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            refusal = $"libc's mmap/mprotect are not reachable: {e.Message}";
            return null;
        }
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0) _ = Munmap(address, _length);
    }

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int Mprotect(nint address, nuint length, int protection);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int Munmap(nint address, nuint length);
}
