using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.OpenCL;

/// <summary>What an op may know about the device when it decides whether it supports a node.</summary>
/// <param name="FmaExact">common.cl's accelFma is a single-rounding fma on this device (checked at start-up).</param>
/// <param name="FmaProblem">Why it is not (the first mismatching case), or null.</param>
/// <param name="SubnormalProblem">Null when subnormals survive the start-up probe; otherwise the flushed case.</param>
internal sealed record OpenClDeviceInfo(OpenClDeviceDescription Description, long MaxAllocation, bool FmaExact, string? FmaProblem,
    string? SubnormalProblem);

/// <summary>
/// What an op's Build sees while a partition is compiled: device buffers for tensors (constants uploaded once),
/// constant tables, and the commands it records (kernel launches, copies, fills), which run in the order recorded on
/// the delegate's in-order queue. Everything is created here, at compile time: the program (once for the partition),
/// one cl_kernel per launch with its arguments set; Invoke only uploads, enqueues, waits and downloads.
/// </summary>
internal sealed unsafe class OpenClPartitionBuilder
{
    private readonly OpenClDevice _device;
    private readonly OpenClTensorStore _store;
    private readonly OpenClPrograms _programs;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _warmUpTimeout;
    private readonly List<OpenClPartitionKernel.Command> _commands = new();
    private readonly List<(string Kernel, string File, OpenClBuffer[] Buffers, byte[] Arguments, long Items)> _launches = new();
    private readonly List<(OpenClBuffer Buffer, byte[] Data, Tensor? Constant)> _pendingUploads = new();
    private readonly List<OpenClBuffer> _ownedTables = new();
    private readonly HashSet<int> _touchedTensors = new();
    private readonly List<OpenClPartitionKernel.StatusCheck> _checks = new();

    public OpenClPartitionBuilder(OpenClDevice device, OpenClDeviceInfo info, OpenClTensorStore store, OpenClPrograms programs,
        DelegatePartition partition, TimeSpan timeout, TimeSpan warmUpTimeout)
    {
        _warmUpTimeout = warmUpTimeout;
        _device = device;
        Device = info;
        _store = store;
        _programs = programs;
        Partition = partition;
        _timeout = timeout;
    }

    public OpenClDeviceInfo Device { get; }
    public DelegatePartition Partition { get; }

    /// <summary>The device buffer holding <paramref name="tensor"/> (its raw bytes); a constant is uploaded at compile time, once per delegate.</summary>
    public OpenClBuffer Buffer(Tensor tensor)
    {
        var buffer = _store.BufferFor(tensor);
        _touchedTensors.Add(tensor.Index);
        if (tensor.IsConstant && !_store.IsUploaded(tensor) && !_pendingUploads.Exists(u => u.Constant?.Index == tensor.Index))
            _pendingUploads.Add((buffer, tensor.Bytes[..checked((int)tensor.ByteSize)].ToArray(), tensor));
        return buffer;
    }

    /// <summary>A read-only device table owned by this partition (reciprocals R(n), resize coordinates …), uploaded at compile time.</summary>
    public OpenClBuffer Table<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        var buffer = _device.CreateBuffer(bytes.Length);
        _ownedTables.Add(buffer);
        if (bytes.Length > 0) _pendingUploads.Add((buffer, bytes, null));
        return buffer;
    }

    /// <summary>
    /// Records a launch of kernel <paramref name="kernel"/> (Cl/NAME.cl) over <paramref name="items"/> work-items:
    /// arguments 0..n−1 are <paramref name="buffers"/>, argument n is <paramref name="arguments"/> by value (a struct
    /// of 32-bit fields mirrored in the .cl file). The kernel lives in Cl/<paramref name="file"/>.cl (default: its own
    /// name). Nothing is recorded for zero items.
    /// </summary>
    public void Dispatch<TArgs>(string kernel, ReadOnlySpan<OpenClBuffer> buffers, in TArgs arguments, long items, string? file = null)
        where TArgs : unmanaged
    {
        if (items <= 0) return;
        var bytes = new byte[sizeof(TArgs)];
        Unsafe.WriteUnaligned(ref bytes[0], arguments);
        _launches.Add((kernel, file ?? kernel, buffers.ToArray(), bytes, items));
        _commands.Add(new OpenClPartitionKernel.Launch(_launches.Count - 1, kernel, items));
    }

    /// <summary>Records a device-side copy of <paramref name="bytes"/> bytes (both offsets 0).</summary>
    public void Copy(OpenClBuffer source, OpenClBuffer destination, long bytes)
    {
        if (bytes > 0) _commands.Add(new OpenClPartitionKernel.CopyCommand(source, destination, bytes));
    }

    /// <summary>
    /// Records the reference's Invoke-time check of every element of <paramref name="input"/> (int8, uint8 or int16)
    /// against <paramref name="bound"/> (<paramref name="condition"/>: below it, or equal to it) — quant.cl's
    /// domain_check_q8/u8/q16: reset, the first offender's index by atomic_min, its value — into a status buffer of this
    /// partition. Invoke reads the status after the last marker, before any output is copied to the host, and throws
    /// <paramref name="error"/>(index, value) when an element offended.
    /// </summary>
    public void CheckInput(Tensor input, InputCondition condition, int bound, Func<int, int, Exception> error)
    {
        if (input.ElementCount == 0) return;
        var status = _device.CreateBuffer(8);
        _ownedTables.Add(status);
        string name = input.Type switch
        {
            TensorType.Int32 => "domain_check_i32",
            TensorType.Int16 => "domain_check_q16",
            TensorType.UInt8 => "domain_check_u8",
            _ => "domain_check_q8",
        };
        var source = Buffer(input);
        int equal = condition == InputCondition.Equal ? 1 : 0;
        for (int mode = 0; mode < 3; mode++)
            Dispatch(name, [source, status], new DomainArgs { Bound = bound, Equal = equal, Mode = mode }, mode == 1 ? input.ElementCount : 1, file: "quant");
        _checks.Add(new OpenClPartitionKernel.StatusCheck(status, error));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DomainArgs
    {
        public int Bound, Equal, Mode;
    }

    /// <summary>Uploads pending constants, builds the partition's program, creates its kernels and the staging memory.</summary>
    public OpenClPartitionKernel Finish(Action<OpenClPartitionKernel> onDispose)
    {
        UploadPending();
        var uploads = new List<OpenClPartitionKernel.Transfer>();
        var downloads = new List<OpenClPartitionKernel.Transfer>();
        int uploadBytes = 0, downloadBytes = 0;
        foreach (var input in Partition.Inputs)
        {
            var tensor = input.Tensor;
            if (input.OnDeviceFromSameDelegate || tensor.IsConstant || !_touchedTensors.Contains(tensor.Index) || tensor.ByteSize == 0) continue;
            uploads.Add(new(tensor, _store.BufferFor(tensor), uploadBytes, checked((int)tensor.ByteSize)));
            uploadBytes = checked(uploadBytes + Align((int)tensor.ByteSize));
        }
        foreach (var output in Partition.Outputs)
        {
            var tensor = output.Tensor;
            if (!output.NeededOnHost || !_touchedTensors.Contains(tensor.Index) || tensor.ByteSize == 0) continue;
            downloads.Add(new(tensor, _store.BufferFor(tensor), downloadBytes, checked((int)tensor.ByteSize)));
            downloadBytes = checked(downloadBytes + Align((int)tensor.ByteSize));
        }

        var kernel = new OpenClPartitionKernel(_device, Partition.Index, _timeout, onDispose, Partition.Cancellation);
        try
        {
            kernel.Tables.AddRange(_ownedTables);
            _ownedTables.Clear();
            // One program for the whole partition; a compile error throws here with the build log, and the
            // interpreter gives the partition's nodes back to the next delegate.
            nint program = _launches.Count > 0 ? _programs.Get(_launches.Select(l => l.File)) : 0;
            var handles = new nint[_launches.Count];
            for (int i = 0; i < _launches.Count; i++)
            {
                var (name, _, buffers, arguments, _) = _launches[i];
                handles[i] = _device.CreateKernel(program, name);
                kernel.Kernels.Add(handles[i]);
                for (int b = 0; b < buffers.Length; b++) _device.SetBuffer(handles[i], (uint)b, buffers[b], name);
                if (arguments.Length > 0)
                    fixed (byte* a = arguments) _device.SetArgument(handles[i], (uint)buffers.Length, (nuint)arguments.Length, a, name);
            }
            kernel.Commands = _commands.Select(c => c is OpenClPartitionKernel.Launch l ? l with { Handle = handles[l.Index] } : c).ToArray();
            kernel.Checks = _checks.ToArray();
            kernel.AllocateStaging(uploadBytes, downloadBytes);
            kernel.Uploads = uploads.ToArray();
            kernel.Downloads = downloads.ToArray();
            kernel.LaunchCount = _launches.Count;
            kernel.WarmUp(_warmUpTimeout);
            return kernel;
        }
        catch
        {
            kernel.Dispose();
            throw;
        }
    }

    /// <summary>Frees what Build created for this partition alone (tables) when compilation fails.</summary>
    public void Abandon()
    {
        foreach (var table in _ownedTables) _device.Release(table);
        _ownedTables.Clear();
    }

    private static int Align(int bytes) => (bytes + 63) & ~63;

    private void UploadPending()
    {
        foreach (var (buffer, data, constant) in _pendingUploads)
        {
            _device.Write(buffer, data);
            if (constant is not null) _store.MarkUploaded(constant);
        }
        _pendingUploads.Clear();
    }
}
