namespace Accel.Tests;

/// <summary>Locates the corpus models installed by scripts/ensure-assets.sh (the README's test command runs it first).</summary>
internal static class TestAssets
{
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("ACCEL_CACHE") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "accel");

    public static string ModelPath(string name)
    {
        string path = Path.Combine(CacheDirectory, "models", name + ".tflite");
        if (!File.Exists(path))
            Assert.Fail($"Corpus model {path} is missing: run scripts/ensure-assets.sh (the README's test command does).");
        return path;
    }
}
