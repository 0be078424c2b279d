using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.OpenCL;

/// <summary>
/// A compiled partition: its kernels created and their arguments set at compile time. Invoke copies the boundary
/// inputs into pinned staging memory, enqueues their uploads, every command, the downloads and a marker on the
/// delegate's in-order queue, waits for the marker (bounded by the delegate's timeout) and copies the host-needed
/// outputs back — unless an input check recorded by OpenClPartitionBuilder.CheckInput failed, which throws the
/// reference's error first; it allocates nothing on the managed heap.
/// </summary>
internal sealed unsafe class OpenClPartitionKernel : IPartitionKernel
{
    /// <summary>A boundary tensor, its device buffer and its region in a staging array.</summary>
    public readonly record struct Transfer(Tensor Tensor, OpenClBuffer Buffer, int Offset, int Bytes);

    /// <summary>An Invoke-time input check: its status buffer (first offending index, its value) and the error it raises.</summary>
    public readonly record struct StatusCheck(OpenClBuffer Status, Func<int, int, Exception> Error);

    public abstract record Command;

    /// <summary>Launch number <paramref name="Index"/> of the partition (<paramref name="Handle"/> set once the program is built).</summary>
    public sealed record Launch(int Index, string Kernel, long Items, nint Handle = 0) : Command;

    public sealed record CopyCommand(OpenClBuffer Source, OpenClBuffer Destination, long Bytes) : Command;

    /// <summary>How long Dispose waits for a run that timed out before leaking its objects instead.</summary>
    public static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(10);

    private readonly OpenClDevice _device;
    private readonly int _partitionIndex;
    private readonly TimeSpan _timeout;
    /// <summary>
    /// Commands enqueued between two cancellation checks. A marker after each segment lets Invoke stop a long partition
    /// early: while it waits for a segment the next one is already queued, so the device never idles for the check.
    /// </summary>
    public const int SegmentCommands = 32;

    private readonly Action<OpenClPartitionKernel> _onDispose;
    private readonly PartitionCancellation _cancellation;
    private nint _pending;
    private bool _disposed;

    public OpenClPartitionKernel(OpenClDevice device, int partitionIndex, TimeSpan timeout, Action<OpenClPartitionKernel> onDispose,
        PartitionCancellation? cancellation = null)
    {
        _cancellation = cancellation ?? PartitionCancellation.None;
        _device = device;
        _partitionIndex = partitionIndex;
        _timeout = timeout;
        _onDispose = onDispose;
    }

    public Command[] Commands { get; set; } = [];
    public List<nint> Kernels { get; } = new();
    public List<OpenClBuffer> Tables { get; } = new();
    /// <summary>The partition's input checks in node order (their status buffers are among <see cref="Tables"/>); set before <see cref="AllocateStaging"/>.</summary>
    public StatusCheck[] Checks { get; set; } = [];
    /// <summary>
    /// Native staging memory for boundary inputs and outputs: the queue reads and writes it asynchronously, so it must
    /// never move, and after a timeout it must outlive this object (it is then leaked with the commands' objects).
    /// </summary>
    public byte* InputStaging { get; private set; }
    public byte* OutputStaging { get; private set; }
    /// <summary>Two words per input check, read back with the downloads.</summary>
    public uint* StatusStaging { get; private set; }

    public void AllocateStaging(int inputBytes, int outputBytes)
    {
        InputStaging = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(64, inputBytes), 64);
        OutputStaging = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(64, outputBytes), 64);
        StatusStaging = (uint*)NativeMemory.AlignedAlloc((nuint)Math.Max(64, 8 * Checks.Length), 64);
    }
    public Transfer[] Uploads { get; set; } = [];
    public Transfer[] Downloads { get; set; } = [];
    public int LaunchCount { get; set; }

    /// <summary>True when Dispose had to leave a still-running submission's objects alive (the device never finished it).</summary>
    public bool Abandoned { get; private set; }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A run that timed out earlier may still be executing: its staging memory and buffers are still in use.
        if (_pending != 0) WaitForCompletion("a previous run of this partition (that timed out)");
        byte* input = InputStaging;
        byte* output = OutputStaging;
        var api = _device.Api;
        foreach (var upload in Uploads)
        {
            var source = upload.Tensor.Bytes;
            var region = new Span<byte>(input + upload.Offset, upload.Bytes);
            source[..Math.Min(source.Length, upload.Bytes)].CopyTo(region);
            int status = api.EnqueueWriteBuffer(_device.Queue, upload.Buffer.Handle, false, 0, (nuint)upload.Bytes, input + upload.Offset, 0, null, null);
            if (status != 0) Fail(status, "clEnqueueWriteBuffer");
        }
        nint queued = 0; // the marker of the last segment enqueued and not yet waited for
        try
        {
            var commands = Commands;
            for (int c = 0; c < commands.Length; c++)
            {
                if (c > 0 && c % SegmentCommands == 0)
                {
                    nint marker = _device.Marker();
                    if (queued != 0)
                    {
                        nint previous = queued;
                        queued = marker;
                        if (!WaitForSegment(previous))
                        {
                            (_pending, queued) = (queued, 0); // the next Invoke waits for everything enqueued so far
                            throw new OpenClException(
                                $"partition {_partitionIndex}: a segment of the enqueued commands did not finish within the timeout of {_timeout.TotalSeconds:0.######} s " +
                                "(the device may be hung; the next Invoke waits for it again before enqueueing)", OpenClException.TimeoutCode);
                        }
                    }
                    else queued = marker;
                    if (_cancellation.IsCancellationRequested)
                    {
                        // Nothing enqueued may outlive the invoke: wait for it, then stop before the next segment.
                        (_pending, queued) = (queued, 0);
                        WaitForCompletion("the commands enqueued before the cancellation");
                        _cancellation.ThrowIfCancellationRequested();
                    }
                }
                var command = commands[c];
                if (command is Launch launch) _device.Enqueue(launch.Handle, launch.Items, launch.Kernel);
                else if (command is CopyCommand copy)
                {
                    int status = api.EnqueueCopyBuffer(_device.Queue, copy.Source.Handle, copy.Destination.Handle, 0, 0, (nuint)copy.Bytes, 0, null, null);
                    if (status != 0) Fail(status, "clEnqueueCopyBuffer");
                }
            }
            foreach (var download in Downloads)
            {
                int status = api.EnqueueReadBuffer(_device.Queue, download.Buffer.Handle, false, 0, (nuint)download.Bytes, output + download.Offset, 0, null, null);
                if (status != 0) Fail(status, "clEnqueueReadBuffer");
            }
            for (int i = 0; i < Checks.Length; i++)
            {
                int status = api.EnqueueReadBuffer(_device.Queue, Checks[i].Status.Handle, false, 0, 8, StatusStaging + 2 * i, 0, null, null);
                if (status != 0) Fail(status, "clEnqueueReadBuffer");
            }
            _pending = _device.Marker();
        }
        finally
        {
            // The final marker (or the failure) supersedes a segment's marker on the in-order queue.
            if (queued != 0) _device.ReleaseEvent(queued);
        }
        WaitForCompletion("the enqueued commands");
        // The reference's Invoke-time errors, the first node's in execution order, before any output reaches the host.
        for (int i = 0; i < Checks.Length; i++)
            if (StatusStaging[2 * i] != InputDomain.NoElement) throw Checks[i].Error((int)StatusStaging[2 * i], (int)StatusStaging[2 * i + 1]);
        foreach (var download in Downloads)
        {
            var destination = download.Tensor.WritableBytes;
            int bytes = Math.Min(destination.Length, download.Bytes);
            new ReadOnlySpan<byte>(output + download.Offset, bytes).CopyTo(destination);
        }
    }

    /// <summary>
    /// Runs the partition's kernels once at compile time (no transfers), bounded by <paramref name="timeout"/>: drivers
    /// that compile lazily (PoCL builds each kernel's work-group function at its first launch) then do it here, not
    /// inside the first Invoke's timeout. Every index a kernel computes comes from its arguments, never from data, so
    /// running on whatever the buffers hold is safe; every buffer it writes is rewritten by the next Invoke.
    /// </summary>
    public void WarmUp(TimeSpan timeout)
    {
        var api = _device.Api;
        foreach (var command in Commands)
            if (command is Launch launch) _device.Enqueue(launch.Handle, launch.Items, launch.Kernel);
        _pending = _device.Marker();
        if (!_device.Wait(_pending, timeout))
            throw new OpenClException($"partition {_partitionIndex}: the compile-time warm-up run did not finish within {timeout.TotalSeconds:0.###} s",
                OpenClException.TimeoutCode);
        _device.ReleaseEvent(_pending);
        _pending = 0;
    }

    private void Fail(int status, string call) =>
        throw new OpenClException($"partition {_partitionIndex}: {call} failed: {OpenClException.Name(status)}", status);

    /// <summary>Waits (bounded) for a segment's marker while the next segment runs, and releases it; false on a timeout.</summary>
    private bool WaitForSegment(nint marker)
    {
        try
        {
            return _device.Wait(marker, _timeout);
        }
        finally
        {
            _device.ReleaseEvent(marker);
        }
    }

    private void WaitForCompletion(string what)
    {
        if (!_device.Wait(_pending, _timeout))
            throw new OpenClException(
                $"partition {_partitionIndex}: {what} did not finish within the timeout of {_timeout.TotalSeconds:0.######} s " +
                "(the device may be hung; the next Invoke waits for it again before enqueueing)", OpenClException.TimeoutCode);
        _device.ReleaseEvent(_pending);
        _pending = 0;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Never release what a still-running submission uses: wait (bounded); if it never ends, leak rather than crash.
        if (_pending != 0)
        {
            bool done;
            try
            {
                done = _device.Wait(_pending, _timeout > AbandonGrace ? _timeout : AbandonGrace);
            }
            catch (OpenClException)
            {
                done = true; // the commands failed: they are over
            }
            if (!done)
            {
                Abandoned = true;
                _device.HasAbandonedWork = true;
                _onDispose(this);
                return;
            }
            _device.ReleaseEvent(_pending);
            _pending = 0;
        }
        _onDispose(this);
        foreach (var kernel in Kernels) _device.ReleaseKernel(kernel);
        Kernels.Clear();
        foreach (var table in Tables) _device.Release(table);
        Tables.Clear();
        NativeMemory.AlignedFree(InputStaging);
        NativeMemory.AlignedFree(OutputStaging);
        NativeMemory.AlignedFree(StatusStaging);
        StatusStaging = null;
        InputStaging = null;
        OutputStaging = null;
    }
}
