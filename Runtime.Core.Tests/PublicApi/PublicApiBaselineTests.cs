namespace Accel.Tests.PublicApi;

/// <summary>
/// The public surface of Accel.Runtime.Core (by reflection, see <see cref="PublicApiSurface"/>) must match the
/// checked-in Runtime.Core/PublicAPI.txt, so that every change to it is a deliberate, reviewed diff. After an
/// intended change, regenerate the file with
/// <c>dotnet test Runtime.Core.Tests --filter PublicApiBaseline -- 'TestRunParameters.Parameter(name="UpdatePublicApi", value="true")'</c>.
/// </summary>
[TestFixture]
public sealed class PublicApiBaselineTests
{
    /// <summary>The NUnit run parameter that rewrites the baseline instead of comparing with it.</summary>
    private const string UpdateParameter = "UpdatePublicApi";

    private const string UpdateCommand =
        "dotnet test Runtime.Core.Tests --filter PublicApiBaseline -- 'TestRunParameters.Parameter(name=\"UpdatePublicApi\", value=\"true\")'";

    [Test]
    public void PublicApiMatchesTheBaseline()
    {
        var actual = PublicApiSurface.Of(typeof(Interpreter).Assembly);
        string actualText = string.Join("\n", actual) + "\n";
        string baselinePath = BaselinePath();

        if (string.Equals(TestContext.Parameters.Get(UpdateParameter, "false"), "true", StringComparison.OrdinalIgnoreCase))
        {
            // Rewrite the baseline, then fall through: the comparison below proves the file now reads back as this build's surface.
            File.WriteAllText(baselinePath, actualText);
            TestContext.Out.WriteLine($"Wrote {actual.Count} lines to {baselinePath}.");
        }

        var expected = File.Exists(baselinePath)
            ? File.ReadAllLines(baselinePath).Where(line => line.Length > 0).ToList()
            : new List<string>();
        if (expected.SequenceEqual(actual)) return;

        string actualPath = Path.Combine(TestContext.CurrentContext.WorkDirectory, "PublicAPI.actual.txt");
        File.WriteAllText(actualPath, actualText);
        TestContext.AddTestAttachment(actualPath, "the public API of this build");

        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        var actualSet = actual.ToHashSet(StringComparer.Ordinal);
        var added = actual.Where(line => !expectedSet.Contains(line)).ToList();
        var removed = expected.Where(line => !actualSet.Contains(line)).ToList();
        const int shown = 50;
        string List(string sign, List<string> lines) => lines.Count == 0 ? "" :
            string.Join("\n", lines.Take(shown).Select(l => $"  {sign} {l}")) + (lines.Count > shown ? $"\n  ... and {lines.Count - shown} more" : "") + "\n";

        Assert.Fail(
            (File.Exists(baselinePath) ? $"The public API of Accel.Runtime.Core differs from {baselinePath}:\n" : $"{baselinePath} does not exist.\n")
            + $"{added.Count} line(s) only in this build (+), {removed.Count} only in the baseline (-)"
            + (added.Count + removed.Count == 0 ? "; the same lines in another order or with duplicates" : "") + "\n"
            + List("+", added) + List("-", removed)
            + $"The whole surface of this build is in {actualPath}.\n"
            + $"If the change is intended, update the baseline (from the repository root) and commit it:\n  {UpdateCommand}");
    }

    /// <summary>Runtime.Core/PublicAPI.txt in the source tree the tests were built from.</summary>
    private static string BaselinePath()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string project = Path.Combine(dir.FullName, "Runtime.Core", "Runtime.Core.csproj");
            if (File.Exists(project)) return Path.Combine(dir.FullName, "Runtime.Core", "PublicAPI.txt");
        }
        throw new InvalidOperationException($"No Runtime.Core/Runtime.Core.csproj above {TestContext.CurrentContext.TestDirectory}.");
    }
}
