using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Accel.Delegates.Ilgpu;

/// <summary>Which ILGPU accelerator the delegate runs on.</summary>
public enum IlgpuAcceleratorKind
{
    /// <summary>
    /// CUDA if a device is present, else a usable OpenCL device, else unavailable (never the CPU accelerator). The
    /// library reads no environment variable: accel maps ACCEL_ILGPU_ACCELERATOR onto an explicit kind at its edge.
    /// </summary>
    Default,
    Cuda,
    OpenCL,
    /// <summary>ILGPU's CPU accelerator: kernels run as .NET code on host threads. For testing, not speed.</summary>
    Cpu,
}

/// <summary>An opened ILGPU context and accelerator, or the reason none could be opened.</summary>
internal sealed class IlgpuBackend : IDisposable
{
    private IlgpuBackend(Context context, Accelerator accelerator, IlgpuAcceleratorKind kind)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }
    public IlgpuAcceleratorKind Kind { get; }

    private const string EnvironmentVariable = IlgpuDelegate.AcceleratorEnvironmentVariable;

    /// <summary>Opens the requested kind (and device name, when given); null with a reason when it is not usable here.</summary>
    public static IlgpuBackend? Open(IlgpuAcceleratorKind kind, string? deviceName, out string? unavailableReason)
    {
        var reasons = new List<string>();
        IlgpuBackend? backend = kind switch
        {
            IlgpuAcceleratorKind.Cuda => TryCuda(deviceName, reasons),
            IlgpuAcceleratorKind.OpenCL => TryOpenCL(deviceName, reasons),
            IlgpuAcceleratorKind.Cpu => TryCpu(reasons),
            _ => TryCuda(deviceName, reasons) ?? TryOpenCL(deviceName, reasons),
        };
        unavailableReason = backend is null
            ? string.Join("; ", reasons) + (kind == IlgpuAcceleratorKind.Default
                ? $"; the CPU accelerator is used only when asked for explicitly (IlgpuAcceleratorKind.Cpu, or {EnvironmentVariable}=cpu for accel)"
                : "")
            : null;
        return backend;
    }

    private static IlgpuBackend? TryCuda(string? deviceName, List<string> reasons)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
            var devices = new List<Device>();
            foreach (var d in context.GetCudaDevices()) if (Matches(d.Name, deviceName)) devices.Add(d);
            if (devices.Count == 0)
            {
                reasons.Add(deviceName is null ? "CUDA: no CUDA device (no NVIDIA GPU or driver)" : $"CUDA: no device named '{deviceName}'");
                context.Dispose();
                return null;
            }
            return new IlgpuBackend(context, devices[0].CreateAccelerator(context), IlgpuAcceleratorKind.Cuda);
        }
        catch (Exception e)
        {
            context?.Dispose();
            reasons.Add($"CUDA: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static IlgpuBackend? TryOpenCL(string? deviceName, List<string> reasons)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.OpenCL().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
            var devices = new List<Device>();
            foreach (var d in context.GetCLDevices()) if (Matches(d.Name, deviceName)) devices.Add(d);
            if (devices.Count == 0)
            {
                reasons.Add(deviceName is null
                    ? "OpenCL: no OpenCL device ILGPU can use (ILGPU needs libOpenCL.so, package ocl-icd-opencl-dev, even to look; " +
                      "it refuses PoCL: GenericAddressSpace feature is not supported)"
                    : $"OpenCL: no device named '{deviceName}'");
                context.Dispose();
                return null;
            }
            var refusals = new List<string>();
            foreach (var device in devices)
            {
                try
                {
                    return new IlgpuBackend(context, device.CreateAccelerator(context), IlgpuAcceleratorKind.OpenCL);
                }
                catch (Exception e)
                {
                    refusals.Add($"'{device.Name}' refused: {e.Message}");
                }
            }
            reasons.Add("OpenCL: " + string.Join("; ", refusals));
            context.Dispose();
            return null;
        }
        catch (Exception e)
        {
            context?.Dispose();
            reasons.Add($"OpenCL: {e.GetType().Name}: {e.Message} (ILGPU needs libOpenCL.so, package ocl-icd-opencl-dev)");
            return null;
        }
    }

    private static IlgpuBackend? TryCpu(List<string> reasons)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.CPU().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
            return new IlgpuBackend(context, context.CreateCPUAccelerator(0), IlgpuAcceleratorKind.Cpu);
        }
        catch (Exception e)
        {
            context?.Dispose();
            reasons.Add($"CPU accelerator: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static bool Matches(string name, string? wanted) =>
        wanted is null || name.Contains(wanted, StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
