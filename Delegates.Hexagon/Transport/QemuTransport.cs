using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Accel.Delegates.Hexagon.Transport;

/// <summary>
/// The DSP runtime (accel-hexagon-dsp.elf, real Hexagon code) run as a child process under qemu-hexagon: commands on its
/// stdin, replies on its stdout, diagnostics on its stderr, tensors in <see cref="SharedMemoryFile"/>s. Every request
/// is bounded by the timeout: a watchdog timer kills a DSP that does not answer, so a hang becomes a
/// <see cref="HexagonDspException"/> (<see cref="HexagonFailure.Timeout"/>), and a DSP that exits becomes one
/// (<see cref="HexagonFailure.ProcessDied"/>) — never a hang. Requests are serialised; buffers are reused, so an execute
/// allocates nothing on the managed heap.
/// </summary>
internal sealed class QemuTransport : IHexagonTransport
{
    private const int Idle = 0, Waiting = 1, TimedOut = 2;

    private readonly Process _process;
    private readonly Stream _commands;
    private readonly Stream _replies;
    private readonly Timer _watchdog;
    private readonly TimeSpan _timeout;
    private readonly ushort _version;
    private readonly Lock _gate = new();
    private readonly byte[] _header = new byte[HexagonProtocol.HeaderBytes];
    private readonly byte[] _executePayload = new byte[4];
    private byte[] _reply = new byte[256];
    private readonly Queue<string> _stderr = new();
    private int _watchdogState;
    private bool _disposed;

    private QemuTransport(Process process, TimeSpan timeout, ushort version)
    {
        _process = process;
        _commands = process.StandardInput.BaseStream;
        _replies = process.StandardOutput.BaseStream;
        _timeout = timeout;
        _version = version;
        _watchdog = new Timer(OnWatchdog, null, Timeout.Infinite, Timeout.Infinite);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                if (_stderr.Count > 20) _stderr.Dequeue();
            }
        };
        process.BeginErrorReadLine();
    }

    public string DspDescription { get; private set; } = "";

    public string? Failure { get; private set; }

    /// <summary>The qemu-hexagon process id (tests check it is gone after Dispose).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Faults the DSP injects on the next executes (tests only).</summary>
    public DspFault Fault { get; set; }

    /// <summary>
    /// Starts <paramref name="dspProgram"/> under <paramref name="qemu"/> and greets it; <paramref name="version"/> is the
    /// protocol version this host announces (tests announce a wrong one).
    /// </summary>
    /// <param name="emulatorArguments">qemu options before the program (tests and tools: e.g. its -d/-D execution log).</param>
    public static QemuTransport Start(string qemu, string dspProgram, TimeSpan timeout, ushort version = HexagonProtocol.Version,
        IReadOnlyList<string>? emulatorArguments = null)
    {
        var start = new ProcessStartInfo(qemu)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in emulatorArguments ?? []) start.ArgumentList.Add(argument);
        start.ArgumentList.Add(dspProgram);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new HexagonDspException(HexagonFailure.ProcessDied, $"cannot start '{qemu} {dspProgram}': {e.Message}", e);
        }
        var transport = new QemuTransport(process, timeout, version);
        try
        {
            int bytes = transport.Exchange(HexagonProtocol.Hello, 0, default, "hello");
            transport.DspDescription = bytes > 4 ? Encoding.UTF8.GetString(transport._reply, 4, bytes - 4) : "";
            return transport;
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    public IDspMemory AllocateSharedMemory(long bytes) => SharedMemoryFile.Create(bytes);

    public void CreateGraph(int graphId, IDspMemory memory, ReadOnlySpan<int> nodeWords)
    {
        if (memory is not SharedMemoryFile file) throw new ArgumentException("the qemu transport maps /dev/shm files only", nameof(memory));
        byte[] path = Encoding.UTF8.GetBytes(file.Path);
        int pathWords = (path.Length + 3) / 4;
        // u32 path bytes, the path padded to 4, u32 shared-memory bytes, then the table (node count first).
        var payload = new byte[4 + pathWords * 4 + 4 + nodeWords.Length * 4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, path.Length);
        path.CopyTo(payload, 4);
        int at = 4 + pathWords * 4;
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(at), checked((int)file.Length));
        at += 4;
        for (int i = 0; i < nodeWords.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(at + 4 * i), nodeWords[i]);
        Exchange(HexagonProtocol.CreateGraph, graphId, payload, $"creating graph {graphId}");
        file.Unlink();
    }

    public void Execute(int graphId)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_executePayload, (uint)Fault);
        Exchange(HexagonProtocol.Execute, graphId, _executePayload, "execute");
    }

    public void DestroyGraph(int graphId)
    {
        if (Failure is not null || _disposed) return;
        Exchange(HexagonProtocol.DestroyGraph, graphId, default, $"destroying graph {graphId}");
    }

    /// <summary>
    /// The DSP's MultiplyByQuantizedMultiplier of each (x, multiplier, shift) triple, by the scalar 64-bit code or, with
    /// <paramref name="hvx"/>, by the HVX code 32 lanes at a time (the bit-exactness proof's probe).
    /// </summary>
    public int[] SelfTestMultiply(ReadOnlySpan<(int X, int Multiplier, int Shift)> cases, bool hvx)
    {
        var payload = new byte[4 + cases.Length * 12];
        BinaryPrimitives.WriteInt32LittleEndian(payload, cases.Length);
        for (int i = 0; i < cases.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4 + 12 * i), cases[i].X);
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8 + 12 * i), cases[i].Multiplier);
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(12 + 12 * i), cases[i].Shift);
        }
        int bytes = Exchange(hvx ? HexagonProtocol.SelfTestMultiplyHvx : HexagonProtocol.SelfTestMultiply, 0, payload, "self-test");
        var results = new int[bytes / 4];
        for (int i = 0; i < results.Length; i++) results[i] = BinaryPrimitives.ReadInt32LittleEndian(_reply.AsSpan(4 * i));
        return results;
    }

    /// <summary>One request and its reply; returns the reply's payload bytes (in <see cref="_reply"/>).</summary>
    private int Exchange(ushort command, int graphId, ReadOnlySpan<byte> payload, string what)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Failure is not null) throw new HexagonDspException(HexagonFailure.ProcessDied, $"{what}: the DSP is gone ({Failure})");
            BinaryPrimitives.WriteUInt32LittleEndian(_header, HexagonProtocol.Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(_header.AsSpan(4), _version);
            BinaryPrimitives.WriteUInt16LittleEndian(_header.AsSpan(6), command);
            BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), graphId);
            BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(12), payload.Length);
            Volatile.Write(ref _watchdogState, Waiting);
            _watchdog.Change(_timeout, Timeout.InfiniteTimeSpan);
            ushort status;
            int replyBytes;
            try
            {
                _commands.Write(_header);
                if (!payload.IsEmpty) _commands.Write(payload);
                _commands.Flush();
                _replies.ReadExactly(_header);
                if (BinaryPrimitives.ReadUInt32LittleEndian(_header) != HexagonProtocol.Magic)
                    throw Fail(HexagonFailure.ProtocolError, $"{what}: the DSP's reply has the wrong magic");
                status = BinaryPrimitives.ReadUInt16LittleEndian(_header.AsSpan(6));
                replyBytes = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(12));
                if (replyBytes < 0 || replyBytes > 64 << 20) throw Fail(HexagonFailure.ProtocolError, $"{what}: the DSP's reply announces {replyBytes} bytes");
                if (replyBytes > _reply.Length) _reply = new byte[replyBytes];
                _replies.ReadExactly(_reply.AsSpan(0, replyBytes));
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
            {
                bool timedOut = Interlocked.Exchange(ref _watchdogState, Idle) == TimedOut;
                throw timedOut
                    ? Fail(HexagonFailure.Timeout, $"{what}: no answer within {_timeout.TotalSeconds:0.###} s; the DSP process was stopped", e)
                    : Fail(HexagonFailure.ProcessDied, $"{what}: the DSP process {Exited()}", e);
            }
            finally
            {
                _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
            }
            if (Interlocked.Exchange(ref _watchdogState, Idle) == TimedOut)
                throw Fail(HexagonFailure.Timeout, $"{what}: no answer within {_timeout.TotalSeconds:0.###} s; the DSP process was stopped");
            if (status == HexagonProtocol.StatusVersionMismatch)
            {
                uint theirs = replyBytes >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(_reply) : 0;
                throw new HexagonDspException(HexagonFailure.ProtocolVersionMismatch,
                    $"{what}: the DSP runtime speaks protocol version {theirs}, this host version {_version}; rebuild Delegates.Hexagon so both match");
            }
            if (status != HexagonProtocol.StatusOk)
            {
                string detail = replyBytes > 0 && status != HexagonProtocol.StatusVersionMismatch ? $": {Encoding.UTF8.GetString(_reply, 0, replyBytes)}" : "";
                throw new HexagonDspException(HexagonFailure.DspError, $"{what}: {HexagonProtocol.StatusName(status)}{detail}");
            }
            return replyBytes;
        }
    }

    private void OnWatchdog(object? state)
    {
        if (Interlocked.CompareExchange(ref _watchdogState, TimedOut, Waiting) != Waiting) return;
        try
        {
            _process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited: the reader sees the end of the stream.
        }
    }

    /// <summary>Marks the transport dead (every later call fails at once) and makes sure the process is gone.</summary>
    private HexagonDspException Fail(HexagonFailure failure, string message, Exception? inner = null)
    {
        Failure = message;
        StopProcess();
        string diagnostics = StderrTail();
        return new HexagonDspException(failure, diagnostics.Length > 0 ? $"{message} (DSP stderr: {diagnostics})" : message, inner);
    }

    private string Exited()
    {
        if (!_process.WaitForExit(2000)) return "stopped answering (its pipe closed)";
        _process.WaitForExit(); // drains stderr
        int code = _process.ExitCode;
        return code >= 128 ? $"was killed by signal {code - 128}" : $"exited with code {code}";
    }

    private string StderrTail()
    {
        lock (_stderr) return string.Join(" | ", _stderr);
    }

    private void StopProcess()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Never started or already reaped.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (Failure is null)
            {
                try
                {
                    Exchange(HexagonProtocol.Shutdown, 0, default, "shutdown");
                }
                catch (HexagonDspException)
                {
                    // Stopped below either way.
                }
            }
            _disposed = true;
            try
            {
                _commands.Dispose();
            }
            catch (IOException)
            {
                // The pipe is already broken.
            }
            if (!_process.WaitForExit(2000)) StopProcess();
            _watchdog.Dispose();
            _process.Dispose();
        }
    }
}
