using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The shaders are compiled at build time; without the compiler the build must stop with a clear message.</summary>
public sealed class VulkanShaderBuildTests
{
    [Test]
    public void BuildingWithoutGlslcFailsNamingTheDebianPackage()
    {
        string project = Path.Combine(RepositoryRoot(), "Delegates.Vulkan", "Delegates.Vulkan.csproj");
        string scratch = Path.Combine(Path.GetTempPath(), "accel-vulkan-shader-build-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A fresh intermediate folder, so the incremental target has to run, with a compiler that does not exist.
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "msbuild", project, "-t:CompileVulkanShaders", "-p:GlslcPath=/nonexistent/glslc",
                                 $"-p:IntermediateOutputPath={scratch}/", "-nologo", "-v:m", "-nr:false" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            Assert.That(process.WaitForExit(120_000), Is.True, "msbuild did not finish in 2 minutes");
            Assert.That(process.ExitCode, Is.Not.EqualTo(0), output);
            Assert.That(output, Does.Contain("the GLSL compiler '/nonexistent/glslc' was not found")
                .And.Contain("install the Debian package glslc"));
            Assert.That(Directory.Exists(Path.Combine(scratch, "spirv")), Is.False, "nothing is compiled without the compiler");
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>ACCEL_REPO_ROOT, else the folder holding Accel.sln above the test binaries or above this source file.</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        if (Environment.GetEnvironmentVariable("ACCEL_REPO_ROOT") is { Length: > 0 } root) return root;
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
        Assert.Fail($"cannot find the repository root (Accel.sln) above {AppContext.BaseDirectory} or {sourceFile}; set ACCEL_REPO_ROOT");
        return "";
    }
}
