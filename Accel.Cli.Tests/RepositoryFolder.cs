using System.Runtime.CompilerServices;

namespace Accel.Cli.Tests;

/// <summary>
/// The repository's root for tests that read tracked files (scripts, docs). CI builds are deterministic, so a
/// <c>[CallerFilePath]</c> there is the mapped <c>/_/…</c>, not a real path: the test binaries' folder is searched
/// first, the source file's only as a fallback for unusual output paths.
/// </summary>
internal static class RepositoryFolder
{
    /// <summary>ACCEL_REPO_ROOT, else the folder holding Accel.sln above the test binaries or above this source file.</summary>
    public static string Root([CallerFilePath] string sourceFile = "")
    {
        if (Environment.GetEnvironmentVariable("ACCEL_REPO_ROOT") is { Length: > 0 } root) return root;
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
        Assert.Fail($"cannot find the repository root (Accel.sln) above {AppContext.BaseDirectory} or {sourceFile}; set ACCEL_REPO_ROOT");
        return "";
    }
}
