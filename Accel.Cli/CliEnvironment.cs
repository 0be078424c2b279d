using Accel.Conformance.Backends;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Delegates.Ilgpu;
using Accel.Delegates.OpenCL;
using Accel.Delegates.Vulkan;
using Accel.Perf.Reporting;

namespace Accel.Cli;

/// <summary>
/// The environment variables accel honours, read at its edge (each <see cref="AccelCli.Run"/>) and passed to the
/// libraries as values: none of the libraries reads the environment.
/// </summary>
/// <param name="Cache">The asset cache: <c>ACCEL_CACHE</c>, else <c>$HOME/.cache/accel</c>.</param>
/// <param name="BenchHistory"><c>ACCEL_BENCH_HISTORY</c>: the history folder when <c>--history</c> is not given.</param>
/// <param name="IlgpuAccelerator"><c>ACCEL_ILGPU_ACCELERATOR</c>: cuda, opencl or cpu for the ilgpu backend.</param>
/// <param name="CpuKernelWidth"><c>ACCEL_CPU_SIMD</c>: scalar, 128, 256 or 512 forces the CPU kernels' vector width (a test hook).</param>
/// <param name="VulkanValidation"><c>ACCEL_VULKAN_VALIDATION=1</c> or the validation layer in <c>VK_INSTANCE_LAYERS</c>.</param>
/// <param name="NoColor"><c>NO_COLOR</c> set (no-color.org): plain tables even on a terminal, as <c>--no-color</c>.</param>
public sealed record CliEnvironment(AccelCache Cache, string? BenchHistory, string? IlgpuAccelerator, string? CpuKernelWidth, bool VulkanValidation,
    bool NoColor = false)
{
    /// <summary>Reads the variables through <paramref name="getVariable"/> (default: the process environment).</summary>
    public static CliEnvironment Read(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new CliEnvironment(
            AccelCache.Resolve(getVariable(AccelCache.EnvironmentVariable)),
            NullIfEmpty(getVariable(Perf.Reporting.BenchHistory.EnvironmentVariable)),
            NullIfEmpty(getVariable(IlgpuDelegate.AcceleratorEnvironmentVariable)),
            NullIfEmpty(getVariable(CpuDelegate.KernelWidthEnvironmentVariable)),
            VulkanDelegate.ValidationRequested(getVariable(VulkanDelegate.ValidationEnvironmentVariable), getVariable("VK_INSTANCE_LAYERS")),
            NoColor: !string.IsNullOrEmpty(getVariable("NO_COLOR")));
    }

    /// <summary>The benchmark history folder when <c>--history</c> is not given.</summary>
    public string BenchHistoryDirectory => BenchHistory ?? Cache.BenchHistory;

    /// <summary>
    /// Applies what must be set before any kernel compiles: the CPU kernel width goes to its
    /// <see cref="AppContext"/> switch (read once per process by Accel.Delegates.Cpu).
    /// </summary>
    public void ApplyProcessSwitches()
    {
        if (CpuKernelWidth is { } width && AppContext.GetData(CpuDelegate.KernelWidthSwitch) is null)
            AppContext.SetData(CpuDelegate.KernelWidthSwitch, width);
    }

    /// <summary>The delegates whose construction depends on these settings, for the conformance registry.</summary>
    public IReadOnlyDictionary<string, Func<IAccelDelegate>> DelegateFactories => new Dictionary<string, Func<IAccelDelegate>>(StringComparer.Ordinal)
    {
        ["ilgpu"] = () => IlgpuDelegate.ForSelection(IlgpuAccelerator),
        ["vulkan"] = () => new VulkanDelegate(validation: VulkanValidation),
        ["opencl"] = () => new OpenClDelegate(programCache: Cache.OpenClPrograms),
    };

    /// <summary>The conformance backends with these settings applied.</summary>
    public BackendRegistry CreateBackendRegistry(int? threads = null) => BackendRegistry.CreateDefault(threads, DelegateFactories);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
