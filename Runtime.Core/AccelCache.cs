namespace Accel;

/// <summary>
/// The layout of Accel's asset cache — corpus models, photos, ONNX models, the benchmark history — in one place for
/// every tool and test. The library reads no environment variable: an application resolves the root at its edge,
/// <c>AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable))</c>, and passes it on.
/// </summary>
/// <param name="Root">The cache folder (absolute).</param>
public sealed record AccelCache(string Root)
{
    /// <summary><c>ACCEL_CACHE</c>: the variable applications read for the root (scripts/ensure-assets.sh honours it too).</summary>
    public const string EnvironmentVariable = "ACCEL_CACHE";

    /// <summary><c>$HOME/.cache/accel</c>: the root when none is configured.</summary>
    public static string DefaultRoot => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "accel");

    /// <summary>The cache at <paramref name="configuredRoot"/> (made absolute), or at <see cref="DefaultRoot"/> when it is null or empty.</summary>
    public static AccelCache Resolve(string? configuredRoot) =>
        new(string.IsNullOrEmpty(configuredRoot) ? DefaultRoot : Path.GetFullPath(configuredRoot));

    /// <summary>The corpus models (<c>NAME.tflite</c>), checked against corpus/models.sha256.</summary>
    public string Models => Path.Combine(Root, "models");

    /// <summary>The photos the set-up fetches (corpus/images.sha256).</summary>
    public string Images => Path.Combine(Root, "images");

    /// <summary>The ONNX models of the converter's tests (scripts/fetch-onnx-models.sh).</summary>
    public string OnnxModels => Path.Combine(Root, "onnx");

    /// <summary>The OpenCL delegate's program binaries (keyed by device, driver, options and source; safe to delete).</summary>
    public string OpenClPrograms => Path.Combine(Root, "opencl-programs");

    /// <summary>The default benchmark history folder (<c>accel bench --json</c> appends there).</summary>
    public string BenchHistory => Path.Combine(Root, "bench-history");

    /// <summary>The path of corpus model <paramref name="name"/> (without extension).</summary>
    public string ModelPath(string name) => Path.Combine(Models, name + ".tflite");
}
