using System.Reflection;
using Accel.Delegates;

namespace Accel.Conformance.Backends;

/// <summary>
/// One column of the conformance matrix: a way to run a model. <c>reference</c> is the reference executor alone;
/// every other backend is a delegate in front of it (nodes it does not claim run on the reference kernels, as in
/// production).
/// </summary>
public abstract class ConformanceBackend
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>Null when the backend can run on this machine; otherwise why not ("no Vulkan device").</summary>
    public abstract string? UnavailableReason { get; }

    /// <summary>Fresh interpreter options for one interpreter (a delegate instance is owned and disposed by that interpreter).</summary>
    public abstract InterpreterOptions CreateOptions();

    public override string ToString() => Name;
}

/// <summary>The reference executor: no delegate.</summary>
public sealed class ReferenceBackend : ConformanceBackend
{
    public const string BackendName = ExecutionPlan.ReferenceExecutor;
    public override string Name => BackendName;
    public override string Description => "reference executor (scalar kernels, the numerics specification)";
    public override string? UnavailableReason => null;
    public override InterpreterOptions CreateOptions() => new() { Threads = 1 };
}

/// <summary>A delegate backend made from a factory; its availability is the delegate's own <see cref="IAccelDelegate.UnavailableReason"/>.</summary>
public sealed class DelegateBackend : ConformanceBackend
{
    private readonly Func<IAccelDelegate> _factory;
    private readonly int _threads;
    private readonly Lazy<(string Description, string? Reason)> _probe;

    /// <param name="threads">InterpreterOptions.Threads for the delegate's interpreters.</param>
    public DelegateBackend(string name, Func<IAccelDelegate> factory, int threads, string? description = null)
    {
        Name = name;
        _factory = factory;
        _threads = Math.Max(1, threads);
        _probe = new Lazy<(string, string?)>(() =>
        {
            try
            {
                using var probe = _factory();
                // The device (a Vulkan GPU or lavapipe, an ILGPU accelerator) goes into every report's backend line.
                string device = probe.DeviceDescription is { } d ? $" on {d}" : "";
                return (description ?? $"{probe.GetType().FullName} ({_threads} thread(s)){device}", probe.UnavailableReason);
            }
            catch (Exception e)
            {
                return (description ?? name, $"the delegate could not be created: {e.GetType().Name}: {e.Message}");
            }
        });
    }

    public override string Name { get; }
    public override string Description => _probe.Value.Description;
    public override string? UnavailableReason => _probe.Value.Reason;
    public int Threads => _threads;

    public override InterpreterOptions CreateOptions()
    {
        var options = new InterpreterOptions { Threads = _threads };
        options.Delegates.Add(new DelegateSelection(_factory()));
        return options;
    }
}

/// <summary>A backend Accel knows of but this build does not contain (its delegate assembly is absent): always skipped.</summary>
public sealed class AbsentBackend(string name, string description, string reason) : ConformanceBackend
{
    public override string Name => name;
    public override string Description => description;
    public override string? UnavailableReason => reason;
    public override InterpreterOptions CreateOptions() => throw new InvalidOperationException($"backend '{name}' is not available: {reason}");
}

/// <summary>
/// The backends <c>accel conform</c> knows. <see cref="CreateDefault"/> holds <c>reference</c>, then every delegate
/// found in an <c>Accel.Delegates.*</c> assembly beside the tool or bundled into it (any public <see cref="IAccelDelegate"/> with a
/// constructor whose parameters are all optional; the CPU delegate is one), then the planned backends that are absent
/// from this build (vulkan, ilgpu, hexagon), which report as skipped. A new delegate adds itself by shipping its
/// assembly; <see cref="Add"/> registers one explicitly.
/// </summary>
public sealed class BackendRegistry
{
    /// <summary>Backends Accel plans; shown as skipped until their assembly exists.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Planned =
    [
        ("vulkan", "Vulkan compute delegate"),
        ("ilgpu", "ILGPU (CUDA/OpenCL) delegate"),
        ("hexagon", "Qualcomm Hexagon DSP delegate"),
        ("opencl", "OpenCL delegate (OpenCL C kernels)"),
    ];

    private readonly List<ConformanceBackend> _backends = new();

    public IReadOnlyList<ConformanceBackend> All => _backends;

    public BackendRegistry Add(ConformanceBackend backend)
    {
        if (_backends.Any(b => b.Name == backend.Name)) throw new ArgumentException($"backend '{backend.Name}' is registered twice");
        _backends.Add(backend);
        return this;
    }

    /// <param name="threads">Threads for delegate backends (default: all logical processors).</param>
    /// <param name="factories">
    /// How to construct a discovered delegate, by name, instead of its parameterless constructor: the application's
    /// settings (e.g. the ILGPU accelerator accel reads from ACCEL_ILGPU_ACCELERATOR) reach the delegates this way.
    /// </param>
    public static BackendRegistry CreateDefault(int? threads = null, IReadOnlyDictionary<string, Func<IAccelDelegate>>? factories = null)
    {
        int n = threads ?? Environment.ProcessorCount;
        var registry = new BackendRegistry().Add(new ReferenceBackend());
        foreach (var (name, discovered) in DiscoverDelegates())
        {
            var factory = factories is not null && factories.TryGetValue(name, out var given) ? given : discovered;
            if (registry._backends.All(b => b.Name != name)) registry.Add(new DelegateBackend(name, factory, n));
        }
        foreach (var (name, description) in Planned)
            if (registry._backends.All(b => b.Name != name))
                registry.Add(new AbsentBackend(name, description, $"not part of this build (no Accel.Delegates assembly provides '{name}')"));
        return registry;
    }

    /// <summary>
    /// Resolves <c>--backend</c>: <c>all</c>, or a comma-separated list of names. Unknown names throw
    /// <see cref="ArgumentException"/> listing the known ones.
    /// </summary>
    public IReadOnlyList<ConformanceBackend> Select(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec) || spec == "all") return _backends;
        var selected = new List<ConformanceBackend>();
        foreach (string raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var backend = _backends.FirstOrDefault(b => b.Name == raw)
                ?? throw new ArgumentException($"unknown backend '{raw}' (known: all, {string.Join(", ", _backends.Select(b => b.Name))})");
            if (!selected.Contains(backend)) selected.Add(backend);
        }
        return selected;
    }

    /// <summary>
    /// Delegates in the <c>Accel.Delegates.*.dll</c> assemblies of the application folder, and in those the entry assembly
    /// references (a single-file application bundles them), by their <see cref="IAccelDelegate.Name"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<IAccelDelegate> Factory)> DiscoverDelegates() =>
        DiscoverDelegates(AppContext.BaseDirectory, Assembly.GetEntryAssembly());

    /// <summary>
    /// Delegates in the <c>Accel.Delegates.*.dll</c> files of <paramref name="folder"/> and in the
    /// <c>Accel.Delegates.*</c> assemblies <paramref name="application"/> references.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<IAccelDelegate> Factory)> DiscoverDelegates(string folder, Assembly? application)
    {
        var found = new List<(string, Func<IAccelDelegate>)>();
        var names = new List<AssemblyName>();
        foreach (string file in Directory.EnumerateFiles(folder, "Accel.Delegates.*.dll"))
        {
            try
            {
                names.Add(AssemblyName.GetAssemblyName(file));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                // Not a .NET assembly (a native helper): not a delegate.
            }
        }
        // A single-file application (scripts/device-check.sh --prepare publishes accel so) has no assembly files beside
        // it: its bundled delegate assemblies are found through the entry assembly's references instead.
        if (application is not null)
            names.AddRange(application.GetReferencedAssemblies().Where(n => n.Name?.StartsWith("Accel.Delegates.", StringComparison.Ordinal) == true));
        var assemblies = new List<Assembly>();
        foreach (var name in names.DistinctBy(n => n.Name).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            try
            {
                assemblies.Add(Assembly.Load(name));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                // Named but not loadable here: not a delegate this build can offer.
            }
        }
        foreach (var assembly in assemblies.Distinct())
        {
            Type[] types;
            try
            {
                types = assembly.GetExportedTypes();
            }
            catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException)
            {
                continue;
            }
            foreach (var type in types.Where(t => t.IsClass && !t.IsAbstract && typeof(IAccelDelegate).IsAssignableFrom(t)).OrderBy(t => t.FullName))
            {
                var constructor = type.GetConstructors().FirstOrDefault(c => c.GetParameters().All(p => p.IsOptional));
                if (constructor is null) continue;
                // Op cases are one-node models: a delegate's minimum partition size (Hexagon's defaults to 2) is set to 1,
                // as TFLite's delegate tests set min_nodes_per_partition = 1, so the case's node runs on the delegate.
                Func<IAccelDelegate> factory = () => (IAccelDelegate)constructor.Invoke(constructor.GetParameters()
                    .Select(p => p.Name == "minNodesPerPartition" && p.ParameterType == typeof(int) ? 1 : p.DefaultValue).ToArray());
                string name;
                try
                {
                    using var probe = factory();
                    name = probe.Name;
                }
                catch (Exception)
                {
                    name = type.Name.Replace("Delegate", "", StringComparison.Ordinal).ToLowerInvariant();
                }
                found.Add((name, factory));
            }
        }
        return found;
    }
}
