using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// The program binary cache (OpenClProgramCache) on PoCL: a second start loads every program instead of compiling, a
/// bad cache file is ignored with a diagnostic and rebuilt, another driver version misses, concurrent starts are safe.
/// Every start also computes the reference's bits, so a binary that loads but computes something else would fail.
/// </summary>
[TestFixture]
public sealed class OpenClProgramCacheTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("accel-opencl-cache-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>CONV_2D → LOGISTIC: the probes' programs plus one partition program.</summary>
    private static (Model Model, float[][] Inputs, float[][] Expected) Network()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 6, 6, 3);
        int w = mb.AddConstant("w", [4, 3, 3, 3], OpenClHarness.Values(new Random(3), 4 * 3 * 3 * 3));
        int b = mb.AddConstant("b", [4], OpenClHarness.Values(new Random(4), 4));
        int c = mb.Tensor("c", 1, 6, 6, 4);
        int y = mb.Tensor("y", 1, 6, 6, 4);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, w, b], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Logistic, [c], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var model = Model.FromBytes(mb.Build());
        float[][] inputs = [OpenClHarness.Values(new Random(5), 6 * 6 * 3, 0.1)];
        return (model, inputs, DelegateHarness.Run(model, inputs, null, out _));
    }

    /// <summary>Runs the network on a new delegate using the cache folder; returns the delegate (disposed by then) for its counts.</summary>
    private OpenClDelegate Start(Func<OpenClCompilerIdentity, OpenClCompilerIdentity>? adjustIdentity = null)
    {
        var (model, inputs, expected) = Network();
        var openCl = new OpenClDelegate(null, null, null, null, libraryName: null, sourceTransform: null, programCache: _folder,
            adjustIdentity: adjustIdentity);
        Assert.That(openCl.UnavailableReason, Is.Null, "OpenCL must be available for these tests (pocl-opencl-icd)");
        var actual = DelegateHarness.Run(model, inputs, openCl, out var plan);
        Assert.That(plan!.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "opencl" }));
        OpenClHarness.AssertSameBits(expected, actual, "program cache network");
        return openCl;
    }

    private string[] CacheFiles() => Directory.GetFiles(_folder, "*.clbin").Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void TheSecondStartLoadsEveryProgramFromTheCacheInsteadOfCompiling()
    {
        var first = Start();
        var cold = first.ProgramBuilds;
        Assert.That(cold.FromSource, Is.GreaterThanOrEqualTo(2), "the start-up probes and the partition's program");
        Assert.That(cold.FromCache, Is.Zero);
        Assert.That(cold.Stored, Is.EqualTo(cold.FromSource));
        Assert.That(CacheFiles(), Has.Length.EqualTo(cold.FromSource));
        Assert.That(first.ProgramCacheDiagnostics, Is.Empty);

        var second = Start();
        Assert.That(second.ProgramBuilds, Is.EqualTo(new OpenClProgramBuilds(FromSource: 0, FromCache: cold.FromSource, Stored: 0, Rejected: 0)),
            string.Join("\n", second.ProgramCacheDiagnostics));
        Assert.That(second.ProgramCacheFolder, Is.EqualTo(_folder));
        Assert.That(second.LiveOpenClObjects, Is.Zero, "programs loaded from binaries are released like built ones");
    }

    [Test]
    public void WithoutACacheFolderEveryStartCompilesAndWritesNothing()
    {
        using var openCl = OpenClHarness.CreateDelegate();
        Assert.That(openCl.ProgramCacheFolder, Is.Null);
        var builds = openCl.ProgramBuilds;
        Assert.That(builds.FromSource, Is.GreaterThanOrEqualTo(1));
        Assert.That(builds with { FromSource = 0 }, Is.EqualTo(default(OpenClProgramBuilds)));
        Assert.That(Directory.EnumerateFileSystemEntries(_folder), Is.Empty);
    }

    [TestCase("flipped", "SHA-256 does not match")]
    [TestCase("truncated", "truncated or padded")]
    [TestCase("empty", "shorter than the 80-byte header")]
    [TestCase("foreign", "key does not match")]
    [TestCase("not an accel file", "bad magic")]
    [TestCase("refused by the driver", "clCreateProgramWithBinary refused it")]
    public void ABadCacheFileIsIgnoredWithADiagnosticAndRebuiltFromSource(string damage, string diagnostic)
    {
        int programs = Start().ProgramBuilds.FromSource;
        var files = CacheFiles();
        Assert.That(files, Has.Length.EqualTo(programs));
        Assert.That(programs, Is.GreaterThanOrEqualTo(2), "the probes' program and the partition's");
        var originals = files.Select(File.ReadAllBytes).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            byte[] bytes = originals[i];
            File.WriteAllBytes(files[i], damage switch
            {
                "flipped" => [.. bytes[..^1], (byte)(bytes[^1] ^ 0x10)],
                "truncated" => bytes[..(bytes.Length / 2)], // as by a crash, had the write not been atomic
                "empty" => [],
                "foreign" => originals[(i + 1) % files.Length], // another program's file under this name
                "not an accel file" => [.. "PK\u0003\u0004"u8, .. bytes[4..]],
                _ => Rewrap(bytes, "not a program binary any driver accepts"u8.ToArray()), // well-formed, checksum right
            });
        }

        var second = Start();
        Assert.That(second.ProgramBuilds, Is.EqualTo(new OpenClProgramBuilds(FromSource: programs, FromCache: 0, Stored: programs, Rejected: programs)));
        Assert.That(second.ProgramCacheDiagnostics, Has.Count.EqualTo(programs));
        Assert.That(second.ProgramCacheDiagnostics, Has.All.Contains(diagnostic).And.All.Contains("building from source"));

        var third = Start();
        Assert.That(third.ProgramBuilds, Is.EqualTo(new OpenClProgramBuilds(0, programs, 0, 0)), "the rebuilt binaries replaced the bad files");
    }

    [Test]
    public void ADifferentDriverVersionMissesTheCacheAndKeepsTheOldEntries()
    {
        int programs = Start().ProgramBuilds.FromSource;
        var updated = Start(identity => identity with { DriverVersion = identity.DriverVersion + "-updated" });
        Assert.That(updated.ProgramBuilds, Is.EqualTo(new OpenClProgramBuilds(programs, 0, programs, 0)));
        Assert.That(updated.ProgramCacheDiagnostics, Is.Empty, "a miss is no error");
        Assert.That(CacheFiles(), Has.Length.EqualTo(2 * programs));
        var otherVendor = Start(identity => identity with { Vendor = "another vendor" });
        Assert.That(otherVendor.ProgramBuilds.FromCache, Is.Zero);
    }

    [Test]
    public void ConcurrentStartsOnOneEmptyFolderAllComputeTheReferenceBitsAndLeaveOnlyWholeFiles()
    {
        var starts = new OpenClDelegate[3];
        Parallel.For(0, starts.Length, new ParallelOptions { MaxDegreeOfParallelism = starts.Length }, i => starts[i] = Start());
        Assert.That(starts.SelectMany(s => s.ProgramCacheDiagnostics), Is.Empty);
        Assert.That(Directory.GetFiles(_folder, "*.tmp"), Is.Empty, "every temporary file was renamed into place");
        int programs = Start().ProgramBuilds.FromCache;
        Assert.That(programs, Is.EqualTo(CacheFiles().Length).And.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void TheKeyChangesWithEveryIdentityFieldTheOptionsAndTheSource()
    {
        var identity = new OpenClCompilerIdentity("platform", "device", "vendor", "1.0", "OpenCL 3.0", "OpenCL C 1.2");
        byte[] key = OpenClProgramCache.Key(identity, "-cl-std=CL1.2", "kernel");
        var variants = new[]
        {
            OpenClProgramCache.Key(identity with { Platform = "other" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity with { Device = "other" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity with { Vendor = "other" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity with { DriverVersion = "1.1" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity with { DeviceVersion = "OpenCL 2.0" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity with { OpenClCVersion = "OpenCL C 3.0" }, "-cl-std=CL1.2", "kernel"),
            OpenClProgramCache.Key(identity, "-cl-std=CL1.2 -DACCEL_FMA_FLOAT64", "kernel"),
            OpenClProgramCache.Key(identity, "-cl-std=CL1.2", "kernel "),
            // Moving text between adjacent fields must not collide (fields are length-prefixed).
            OpenClProgramCache.Key(identity with { Platform = "platformd", Device = "evice" }, "-cl-std=CL1.2", "kernel"),
        };
        Assert.That(OpenClProgramCache.Key(identity, "-cl-std=CL1.2", "kernel"), Is.EqualTo(key), "deterministic");
        foreach (var variant in variants) Assert.That(variant, Is.Not.EqualTo(key));
    }

    /// <summary>A well-formed cache file (header, length, checksum) for <paramref name="original"/>'s key with another payload.</summary>
    private static byte[] Rewrap(byte[] original, byte[] payload)
    {
        var file = new byte[80 + payload.Length];
        original.AsSpan(0, 40).CopyTo(file);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(40, 8), payload.Length);
        System.Security.Cryptography.SHA256.HashData(payload).CopyTo(file, 48);
        payload.CopyTo(file, 80);
        return file;
    }
}
