namespace Accel.Tests;

/// <summary>Locates the corpus models installed by scripts/ensure-assets.sh (the README's test command runs it first).</summary>
internal static class TestAssets
{
    public static string CacheDirectory => AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root;

    public static string ModelPath(string name)
    {
        string path = Path.Combine(CacheDirectory, "models", name + ".tflite");
        if (!File.Exists(path))
            Assert.Fail($"Corpus model {path} is missing: run scripts/ensure-assets.sh (the README's test command does).");
        return path;
    }
}
