using System.Reflection;
using System.Text;

namespace Accel.Delegates.OpenCL;

/// <summary>
/// The OpenCL C sources embedded in this assembly (Cl/*.cl) and the programs built from them. A partition's program
/// is Cl/common.cl followed by the source of every kernel it dispatches (kernel NAME lives in Cl/NAME.cl), built once
/// and cached per delegate by that kernel set, so partitions needing the same kernels share one build. Builds go
/// through the delegate's <see cref="OpenClProgramCache"/>: with a cache folder, a later start loads the binary instead.
/// </summary>
internal sealed class OpenClPrograms : IDisposable
{
    /// <summary>OpenCL C 1.2; no -cl-fast-relaxed-math, -cl-mad-enable or -cl-denorms-are-zero (docs/numerics.md).</summary>
    public const string BaseOptions = "-cl-std=CL1.2";

    private readonly OpenClDevice _device;
    private readonly OpenClProgramCache _cache;
    private readonly Func<string, string>? _sourceTransform;
    private readonly Dictionary<string, nint> _programs = new(StringComparer.Ordinal);

    /// <param name="float64Fma">Build with ACCEL_FMA_FLOAT64: common.cl's exact fma emulation in double instead of the device's fma().</param>
    /// <param name="sourceTransform">Test hook: rewrites every program's source before it is built (e.g. to break it).</param>
    /// <param name="cache">The delegate's program binary cache (or counts only, without a folder).</param>
    public OpenClPrograms(OpenClDevice device, bool float64Fma, OpenClProgramCache cache, Func<string, string>? sourceTransform = null)
    {
        _device = device;
        _cache = cache;
        Float64Fma = float64Fma;
        _sourceTransform = sourceTransform;
    }

    public bool Float64Fma { get; }

    public string Options => Float64Fma ? BaseOptions + " -DACCEL_FMA_FLOAT64" : BaseOptions;

    /// <summary>The program holding <paramref name="kernels"/> (built now if no earlier partition needed the same set).</summary>
    public nint Get(IEnumerable<string> kernels)
    {
        var names = kernels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        string key = string.Join(",", names);
        if (_programs.TryGetValue(key, out var program)) return program;
        var source = new StringBuilder(Source("common"));
        foreach (var name in names) source.Append('\n').Append(Source(name));
        string text = source.ToString();
        // The start-up probes never get the test hook: a broken source must fail a partition, not the start-up.
        if (_sourceTransform is not null && !names.Contains("probe")) text = _sourceTransform(text);
        program = _cache.Build(_device, text, Options);
        _programs[key] = program;
        return program;
    }

    /// <summary>Cl/NAME.cl as embedded; a missing file is a bug in this assembly.</summary>
    public static string Source(string name)
    {
        using var stream = typeof(OpenClPrograms).Assembly.GetManifestResourceStream($"Accel.Delegates.OpenCL.Cl.{name}.cl")
            ?? throw new InvalidOperationException($"Delegates.OpenCL: no embedded kernel source Cl/{name}.cl");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Names of every embedded source (tests check each builds).</summary>
    public static IEnumerable<string> EmbeddedNames =>
        typeof(OpenClPrograms).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Accel.Delegates.OpenCL.Cl.", StringComparison.Ordinal) && n.EndsWith(".cl", StringComparison.Ordinal))
            .Select(n => n["Accel.Delegates.OpenCL.Cl.".Length..^3]);

    public void Dispose()
    {
        foreach (var program in _programs.Values) _device.ReleaseProgram(program);
        _programs.Clear();
    }
}
