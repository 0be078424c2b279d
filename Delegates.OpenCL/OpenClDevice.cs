using System.Diagnostics;
using System.Text;
using Silk.NET.OpenCL;

namespace Accel.Delegates.OpenCL;

/// <summary>What the device's single-precision configuration (CL_DEVICE_SINGLE_FP_CONFIG) and extensions say.</summary>
/// <param name="Denormals">CL_FP_DENORM: the device claims float32 denormals are supported (still measured at start-up).</param>
/// <param name="FusedMultiplyAdd">CL_FP_FMA: the device claims fma() is a single rounding (still measured at start-up).</param>
/// <param name="Float64">cl_khr_fp64 (double), which the exact fma emulation needs.</param>
public sealed record OpenClFloatSupport(bool Denormals, bool FusedMultiplyAdd, bool Float64);

/// <summary>
/// One OpenCL device, its context and one in-order command queue, per delegate (Silk.NET.OpenCL). Counts every object
/// it creates (<see cref="Objects"/>) so tests can prove none leaks.
/// </summary>
internal sealed unsafe class OpenClDevice : IDisposable
{
    private const ulong FpDenorm = 1 << 0;  // CL_FP_DENORM
    private const ulong FpFma = 1 << 5;     // CL_FP_FMA

    private bool _disposed;

    private OpenClDevice(CL api, nint platform, nint device, nint context, nint queue, OpenClDeviceDescription description,
        OpenClFloatSupport floats, long maxAllocation)
    {
        Api = api;
        Platform = platform;
        Device = device;
        Context = context;
        Queue = queue;
        Description = description;
        Floats = floats;
        MaxAllocation = maxAllocation;
    }

    public CL Api { get; }
    public nint Platform { get; }
    public nint Device { get; }
    public nint Context { get; }
    public nint Queue { get; }
    public OpenClDeviceDescription Description { get; }
    public OpenClFloatSupport Floats { get; }

    /// <summary>CL_DEVICE_VENDOR (part of the program cache's key).</summary>
    public string Vendor => DeviceString(Api, Device, DeviceInfo.Vendor);

    /// <summary>CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest buffer.</summary>
    public long MaxAllocation { get; }

    /// <summary>Objects created and not yet released (the context and queue included); 0 after Dispose.</summary>
    public OpenClObjectCounter Objects { get; } = new();

    /// <summary>Set when a submission never finished: what it may still use is leaked rather than released under it.</summary>
    public bool HasAbandonedWork { get; set; }

    /// <summary>
    /// Enumerates every platform's devices and opens the one <paramref name="selection"/> picks; null with
    /// <paramref name="reason"/> when there is no loader, no platform (no ICD), no device or no match. Never throws.
    /// </summary>
    /// <param name="libraryName">The ICD loader's file name; null for Silk.NET's default (libOpenCL.so.1 …). Tests name a missing one.</param>
    public static OpenClDevice? Open(OpenClDeviceSelection selection, out string? reason, out IReadOnlyList<OpenClDeviceDescription> devices,
        string? libraryName = null)
    {
        devices = [];
        CL api;
        try
        {
            api = libraryName is null ? CL.GetApi() : new CL(CL.CreateDefaultContext([libraryName]));
        }
        catch (Exception e)
        {
            reason = $"no OpenCL ICD loader ({libraryName ?? "libOpenCL.so.1"}; Debian package ocl-icd-libopencl1): {e.GetType().Name}: {e.Message}";
            return null;
        }
        try
        {
            uint platformCount = 0;
            int status = api.GetPlatformIDs(0, null, &platformCount);
            // -1001 is CL_PLATFORM_NOT_FOUND_KHR: the loader found no ICD.
            if (status == (int)ErrorCodes.PlatformNotFoundKhr || (status == 0 && platformCount == 0))
            {
                reason = "no OpenCL platform: the ICD loader found no driver (install one, e.g. Debian package pocl-opencl-icd for a CPU device)";
                return null;
            }
            if (status != 0)
            {
                reason = $"clGetPlatformIDs failed: {OpenClException.Name(status)}";
                return null;
            }
            var platforms = new nint[platformCount];
            fixed (nint* p = platforms) Check(api, api.GetPlatformIDs(platformCount, p, null), "clGetPlatformIDs");
            var found = new List<(OpenClDeviceDescription Description, nint Platform, nint Device)>();
            foreach (var platform in platforms)
            {
                string platformName = PlatformString(api, platform, PlatformInfo.Name);
                uint deviceCount = 0;
                status = api.GetDeviceIDs(platform, DeviceType.All, 0, null, &deviceCount);
                if (status != 0 || deviceCount == 0) continue; // CL_DEVICE_NOT_FOUND: a platform with no device
                var ids = new nint[deviceCount];
                fixed (nint* d = ids) Check(api, api.GetDeviceIDs(platform, DeviceType.All, deviceCount, d, null), "clGetDeviceIDs");
                foreach (var id in ids)
                {
                    ulong type = DeviceULong(api, id, DeviceInfo.Type);
                    var kind = (type & (ulong)DeviceType.Gpu) != 0 ? OpenClDeviceType.Gpu
                        : (type & (ulong)DeviceType.Accelerator) != 0 ? OpenClDeviceType.Accelerator
                        : (type & (ulong)DeviceType.Cpu) != 0 ? OpenClDeviceType.Cpu : OpenClDeviceType.Other;
                    found.Add((new OpenClDeviceDescription(found.Count, platformName, DeviceString(api, id, DeviceInfo.Name), kind,
                        DeviceString(api, id, DeviceInfo.Version), DeviceString(api, id, DeviceInfo.DriverVersion),
                        OpenClCVersion(api, id)), platform, id));
                }
            }
            devices = found.Select(f => f.Description).ToArray();
            if (found.Count == 0)
            {
                reason = $"no OpenCL device: {platformCount} platform(s) list none";
                return null;
            }
            var chosen = selection.Choose(devices);
            if (chosen is null)
            {
                reason = $"no OpenCL device matches {selection}; devices: {string.Join("; ", devices)}";
                return null;
            }
            var (description, platformId, deviceId) = found[chosen.Index];
            if (DeviceULong(api, deviceId, DeviceInfo.CompilerAvailable) == 0)
            {
                reason = $"OpenCL device {description} has no compiler (CL_DEVICE_COMPILER_AVAILABLE is false); its kernels are built from source";
                return null;
            }
            ulong fp = DeviceULong(api, deviceId, DeviceInfo.SingleFPConfig);
            string extensions = DeviceString(api, deviceId, DeviceInfo.Extensions);
            var floats = new OpenClFloatSupport((fp & FpDenorm) != 0, (fp & FpFma) != 0,
                extensions.Split(' ').Contains("cl_khr_fp64"));
            long maxAllocation = (long)Math.Min(DeviceULong(api, deviceId, DeviceInfo.MaxMemAllocSize), long.MaxValue);

            int error;
            nint context = api.CreateContext(null, 1, &deviceId, null, null, &error);
            Check(api, error, "clCreateContext");
            // In order: every command sees the results of the ones enqueued before it, so no events between kernels.
            nint queue = api.CreateCommandQueue(context, deviceId, CommandQueueProperties.None, &error);
            if (error != 0)
            {
                api.ReleaseContext(context);
                Check(api, error, "clCreateCommandQueue");
            }
            var opened = new OpenClDevice(api, platformId, deviceId, context, queue, description, floats, maxAllocation);
            opened.Objects.Created();
            opened.Objects.Created();
            reason = null;
            return opened;
        }
        catch (Exception e)
        {
            reason = $"OpenCL initialisation failed: {e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    public void Check(int status, string call) => Check(Api, status, call);

    private static void Check(CL api, int status, string call)
    {
        if (status != 0) throw new OpenClException($"{call} failed: {OpenClException.Name(status)}", status);
    }

    public OpenClBuffer CreateBuffer(long bytes)
    {
        bytes = Math.Max(4, bytes);
        int error;
        nint handle = Api.CreateBuffer(Context, MemFlags.ReadWrite, (nuint)bytes, null, &error);
        Check(error, $"clCreateBuffer ({bytes} bytes)");
        Objects.Created(bytes);
        return new OpenClBuffer(handle, bytes);
    }

    public void Release(OpenClBuffer buffer)
    {
        if (buffer.Released) return;
        Api.ReleaseMemObject(buffer.Handle);
        Objects.Released(buffer.Size);
        buffer.MarkReleased();
    }

    /// <summary>Blocking upload of <paramref name="data"/> to the start of <paramref name="buffer"/> (compile time only).</summary>
    public void Write(OpenClBuffer buffer, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        fixed (byte* p = data) Check(Api.EnqueueWriteBuffer(Queue, buffer.Handle, true, 0, (nuint)data.Length, p, 0, null, null), "clEnqueueWriteBuffer");
    }

    /// <summary>Blocking download (probes and tests only).</summary>
    public void Read(OpenClBuffer buffer, Span<byte> destination)
    {
        if (destination.IsEmpty) return;
        fixed (byte* p = destination) Check(Api.EnqueueReadBuffer(Queue, buffer.Handle, true, 0, (nuint)destination.Length, p, 0, null, null), "clEnqueueReadBuffer");
    }

    /// <summary>Builds <paramref name="source"/> for this device; a compile error throws with the driver's build log.</summary>
    public nint BuildProgram(string source, string options)
    {
        int error;
        byte[] bytes = Encoding.UTF8.GetBytes(source);
        nint program;
        fixed (byte* s = bytes)
        {
            byte* strings = s;
            nuint length = (nuint)bytes.Length;
            program = Api.CreateProgramWithSource(Context, 1, &strings, &length, &error);
        }
        Check(error, "clCreateProgramWithSource");
        Objects.Created();
        nint device = Device;
        int status = Api.BuildProgram(program, 1, &device, options, null, null);
        if (status != 0)
        {
            string log = BuildLog(program);
            ReleaseProgram(program);
            throw new OpenClException($"the OpenCL program did not build on {Description.Name}: {OpenClException.Name(status)}; build log:\n{log}", status);
        }
        return program;
    }

    /// <summary>
    /// Creates a program from a binary this device produced earlier (<see cref="ProgramBinary"/>) and builds it with
    /// <paramref name="options"/>; null with <paramref name="problem"/> when the driver rejects the binary (the caller
    /// then builds from source). Never throws for a rejected binary: a stale cache must not fail the start.
    /// </summary>
    public nint? BuildProgramFromBinary(ReadOnlySpan<byte> binary, string options, out string? problem)
    {
        int error;
        int binaryStatus = 0;
        nint program;
        nint device = Device;
        fixed (byte* b = binary)
        {
            byte* binaries = b;
            nuint length = (nuint)binary.Length;
            program = Api.CreateProgramWithBinary(Context, 1, &device, &length, &binaries, &binaryStatus, &error);
        }
        if (error != 0 || binaryStatus != 0)
        {
            if (program != 0) Api.ReleaseProgram(program);
            problem = $"clCreateProgramWithBinary refused it: {OpenClException.Name(error != 0 ? error : binaryStatus)}";
            return null;
        }
        Objects.Created();
        int status = Api.BuildProgram(program, 1, &device, options, null, null);
        if (status != 0)
        {
            string log = BuildLog(program);
            ReleaseProgram(program);
            problem = $"clBuildProgram of the binary failed: {OpenClException.Name(status)}; build log: {log}";
            return null;
        }
        problem = null;
        return program;
    }

    /// <summary>CL_PROGRAM_BINARIES of a built single-device program (empty when the driver offers none).</summary>
    public byte[] ProgramBinary(nint program)
    {
        nuint size = 0;
        Check(Api.GetProgramInfo(program, ProgramInfo.BinarySizes, (nuint)sizeof(nuint), &size, null), "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)");
        if (size == 0) return [];
        var binary = new byte[(int)size];
        fixed (byte* b = binary)
        {
            // CL_PROGRAM_BINARIES takes an array of pointers, one per device; this program has one device.
            byte* pointer = b;
            Check(Api.GetProgramInfo(program, ProgramInfo.Binaries, (nuint)sizeof(nint), &pointer, null), "clGetProgramInfo(CL_PROGRAM_BINARIES)");
        }
        return binary;
    }

    private string BuildLog(nint program)
    {
        nuint size = 0;
        if (Api.GetProgramBuildInfo(program, Device, ProgramBuildInfo.BuildLog, 0, null, &size) != 0 || size == 0) return "(no log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Api.GetProgramBuildInfo(program, Device, ProgramBuildInfo.BuildLog, size, p, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0', '\n', ' ');
    }

    public void ReleaseProgram(nint program)
    {
        Api.ReleaseProgram(program);
        Objects.Released();
    }

    public nint CreateKernel(nint program, string name)
    {
        int error;
        nint kernel = Api.CreateKernel(program, name, &error);
        Check(error, $"clCreateKernel({name})");
        Objects.Created();
        return kernel;
    }

    public void ReleaseKernel(nint kernel)
    {
        Api.ReleaseKernel(kernel);
        Objects.Released();
    }

    public void SetArgument(nint kernel, uint index, nuint size, void* value, string kernelName) =>
        Check(Api.SetKernelArg(kernel, index, size, value), $"clSetKernelArg({kernelName}, {index})");

    public void SetBuffer(nint kernel, uint index, OpenClBuffer buffer, string kernelName)
    {
        nint handle = buffer.Handle;
        SetArgument(kernel, index, (nuint)sizeof(nint), &handle, kernelName);
    }

    /// <summary>Enqueues a 1-D range of <paramref name="items"/> work-items (the driver picks the work-group size).</summary>
    public void Enqueue(nint kernel, long items, string kernelName)
    {
        nuint global = (nuint)items;
        int status = Api.EnqueueNdrangeKernel(Queue, kernel, 1, null, &global, null, 0, null, null);
        if (status != 0) Check(status, $"clEnqueueNDRangeKernel({kernelName})");
    }

    /// <summary>An event that completes once everything enqueued before it has (in-order queue), flushed to the device.</summary>
    public nint Marker()
    {
        nint marker;
        int status = Api.EnqueueMarkerWithWaitList(Queue, 0, null, &marker);
        if (status != 0) Check(status, "clEnqueueMarkerWithWaitList");
        Objects.Created();
        status = Api.Flush(Queue);
        if (status != 0) Check(status, "clFlush");
        return marker;
    }

    public void ReleaseEvent(nint e)
    {
        Api.ReleaseEvent(e);
        Objects.Released();
    }

    /// <summary>
    /// Waits until <paramref name="e"/> completes or <paramref name="timeout"/> passes (false). OpenCL has no timed
    /// wait, so the event's status is polled (spinning briefly, then yielding). An error status throws.
    /// </summary>
    public bool Wait(nint e, TimeSpan timeout)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var spin = new SpinWait();
        while (true)
        {
            int status;
            int query = Api.GetEventInfo(e, EventInfo.CommandExecutionStatus, (nuint)sizeof(int), &status, null);
            if (query != 0) Check(query, "clGetEventInfo");
            if (status == 0) return true; // CL_COMPLETE
            if (status < 0) throw new OpenClException($"an OpenCL command failed on {Description.Name}: {OpenClException.Name(status)}", status);
            if (Stopwatch.GetTimestamp() > deadline) return false;
            if (spin.Count < 50) spin.SpinOnce(-1);
            else Thread.Sleep(0);
            if (spin.Count >= 50) Thread.Yield();
        }
    }

    private static string PlatformString(CL api, nint platform, PlatformInfo info)
    {
        nuint size = 0;
        if (api.GetPlatformInfo(platform, info, 0, null, &size) != 0 || size == 0) return "";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) api.GetPlatformInfo(platform, info, size, p, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private static string DeviceString(CL api, nint device, DeviceInfo info)
    {
        nuint size = 0;
        if (api.GetDeviceInfo(device, info, 0, null, &size) != 0 || size == 0) return "";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) api.GetDeviceInfo(device, info, size, p, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    // CL_DEVICE_OPENCL_C_VERSION is deprecated by OpenCL 3.0 but the only query an OpenCL 1.2 device answers.
#pragma warning disable CS0618
    private static string OpenClCVersion(CL api, nint device) => DeviceString(api, device, DeviceInfo.OpenclCVersion);
#pragma warning restore CS0618

    /// <summary>A cl_bool, cl_uint, cl_ulong or bitfield query, widened.</summary>
    private static ulong DeviceULong(CL api, nint device, DeviceInfo info)
    {
        ulong value = 0;
        nuint size = 0;
        Check(api, api.GetDeviceInfo(device, info, sizeof(ulong), &value, &size), $"clGetDeviceInfo({info})");
        return size switch { 4 => value & 0xFFFFFFFF, _ => value };
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Api.ReleaseCommandQueue(Queue);
        Objects.Released();
        Api.ReleaseContext(Context);
        Objects.Released();
    }
}
