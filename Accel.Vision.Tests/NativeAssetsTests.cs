using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace Accel.Vision.Tests;

/// <summary>
/// Directory.Build.targets' <c>AccelDropForeignNativeAssets</c>: a test project copies only the native assets of the
/// machine that builds it (SkiaSharp's Windows and macOS binaries were ~440 MB per test project, and a clone's build
/// filled CI's disk), and what it keeps is what this process loads.
/// </summary>
public sealed class NativeAssetsTests
{
    [Test]
    public void TheTestBuildCarriesOnlyThisMachinesNativeAssetsAndSkiaSharpLoadsFromThem()
    {
        // The deps file, written anew by every build, lists the assets the host may load (a folder listing would
        // also see what an older build left in bin/).
        string deps = Path.Combine(AppContext.BaseDirectory, typeof(NativeAssetsTests).Assembly.GetName().Name + ".deps.json");
        Assert.That(File.Exists(deps), Is.True, $"no deps file beside the test assembly ({deps})");
        string family = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string architecture = "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var folders = Regex.Matches(File.ReadAllText(deps), @"""runtimes/([^/""]+)/").Select(m => m.Groups[1].Value).Distinct().ToArray();
        var foreign = folders.Where(f => !(f == family || f == "unix" || (f.StartsWith(family + "-") && f.EndsWith(architecture)))).ToArray();
        Assert.That(foreign, Is.Empty, $"{deps} lists native assets for other platforms: {string.Join(", ", foreign)}");
        Assert.That(folders.Any(f => f.EndsWith(architecture)), Is.True, $"{deps} lists no {family}{architecture} assets");

        using var bitmap = new SKBitmap(2, 2);
        bitmap.SetPixel(1, 1, new SKColor(10, 20, 30));
        Assert.That(bitmap.GetPixel(1, 1), Is.EqualTo(new SKColor(10, 20, 30)));
    }
}
