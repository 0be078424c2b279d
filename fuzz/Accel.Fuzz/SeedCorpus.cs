using Accel.Conformance;
using Accel.Conformance.Cases;

namespace Accel.Fuzz;

/// <summary>Where seed inputs come from: the conformance suite's op cases (one small model per case) and model files.</summary>
internal static class SeedCorpus
{
    /// <summary>
    /// The models of the op cases in <c>conformance/cases/ops.json</c> (every <paramref name="stride"/>-th case),
    /// built in memory by the suite's case builders.
    /// </summary>
    public static IEnumerable<byte[]> OpCaseModels(SuitePaths paths, int stride = 1)
    {
        var suite = new SuiteContext(paths);
        var cases = CaseCatalog.LoadOpCases(paths.OpCasesFile);
        for (int i = 0; i < cases.Count; i += stride)
        {
            var bytes = cases[i].Materialize(suite).ModelBytes;
            if (bytes is not null) yield return bytes;
        }
    }

    /// <summary>Every <c>*.tflite</c> file directly in <paramref name="dir"/> up to <paramref name="maxBytes"/> bytes, in name order.</summary>
    public static IEnumerable<byte[]> ModelFiles(string dir, long maxBytes)
    {
        if (!Directory.Exists(dir)) yield break;
        foreach (string file in Directory.EnumerateFiles(dir, "*.tflite").Order(StringComparer.Ordinal))
            if (new FileInfo(file).Length <= maxBytes)
                yield return File.ReadAllBytes(file);
    }
}
