using System.Runtime.InteropServices;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>Device selection by name, index and type; and the unavailable paths (no loader, no matching device).</summary>
[TestFixture]
public sealed class OpenClDeviceSelectionTests
{
    [Test]
    public void TheDefaultPicksADeviceAndDescribesIt()
    {
        using var openCl = OpenClHarness.CreateDelegate();
        Assert.That(openCl.Devices, Is.Not.Empty);
        Assert.That(openCl.Device, Is.Not.Null);
        Assert.That(openCl.DeviceDescription, Does.StartWith("OpenCL device "));
        Assert.That(openCl.DeviceDescription, Does.Contain(openCl.Device!.Name));
        Assert.That(openCl.Device.OpenClCVersion, Does.Contain("OpenCL C"));
        Assert.That(openCl.FmaImplementation, Is.Not.Null);
        Assert.That(openCl.Subnormals, Does.StartWith("preserved"), "PoCL keeps subnormals");
        TestContext.Out.WriteLine($"{openCl.DeviceDescription}; fma: {openCl.FmaImplementation}; subnormals: {openCl.Subnormals}");
    }

    [Test]
    public void ADeviceIsFoundByNameIndexAndType()
    {
        OpenClDeviceDescription first;
        using (var any = OpenClHarness.CreateDelegate()) first = any.Device!;
        using (var byName = new OpenClDelegate(deviceName: first.Name[..Math.Min(6, first.Name.Length)].ToUpperInvariant()))
            Assert.That(byName.Device?.Name, Is.EqualTo(first.Name), "case-insensitive substring");
        using (var byIndex = new OpenClDelegate(deviceIndex: first.Index))
            Assert.That(byIndex.Device?.Index, Is.EqualTo(first.Index));
        using (var byType = new OpenClDelegate(deviceType: first.Type))
            Assert.That(byType.Device?.Type, Is.EqualTo(first.Type));
    }

    [Test]
    public void NoMatchingDeviceIsUnavailableWithTheDevicesListed()
    {
        using var none = new OpenClDelegate(deviceName: "no-such-device-anywhere");
        Assert.That(none.UnavailableReason, Does.StartWith("no OpenCL device matches name containing 'no-such-device-anywhere'"));
        Assert.That(none.UnavailableReason, Does.Contain("devices: 0: "));
        Assert.That(none.Device, Is.Null);
        Assert.That(none.LiveOpenClObjects, Is.Zero);
        using var outOfRange = new OpenClDelegate(deviceIndex: 99);
        Assert.That(outOfRange.UnavailableReason, Does.Contain("index 99"));
    }

    [Test]
    public void NoIcdLoaderMakesTheDelegateUnavailableAndItRefusesEveryNode()
    {
        using var missing = new OpenClDelegate(null, null, null, null, libraryName: "libOpenCL-missing-for-test.so.1", sourceTransform: null);
        Assert.That(missing.UnavailableReason, Does.StartWith("no OpenCL ICD loader (libOpenCL-missing-for-test.so.1"));
        Assert.That(missing.Devices, Is.Empty);
        Assert.That(missing.DeviceDescription, Is.Null);

        var mb = new Accel.Building.ModelBuilder();
        int x = mb.Tensor("x", 4);
        int y = mb.Tensor("y", 4);
        mb.AddOperator(BuiltinOperator.Relu, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new OpenClDelegate(null, null, null, null, "libOpenCL-missing-for-test.so.1", null)));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Diagnostics, Has.Some.Contains("delegate 'opencl' is unavailable: no OpenCL ICD loader"));
    }

    /// <summary>
    /// A loader that finds no driver: a private copy of the ICD loader (its own, not yet initialised state) with
    /// OCL_ICD_VENDORS pointing at an empty folder. Set with libc setenv: .NET's SetEnvironmentVariable does not reach
    /// native code.
    /// </summary>
    [Test]
    public void NoIcdDriverMakesTheDelegateUnavailableNamingThePackage()
    {
        string? loader = new[] { "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1", "/usr/lib/aarch64-linux-gnu/libOpenCL.so.1", "/usr/lib64/libOpenCL.so.1" }
            .FirstOrDefault(File.Exists);
        Assert.That(loader, Is.Not.Null, "the ICD loader (ocl-icd-libopencl1) must be installed");
        string dir = Path.Combine(Path.GetTempPath(), $"accel-ocl-noicd-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(dir, "vendors"));
        string copy = Path.Combine(dir, "libOpenCL-private.so.1");
        File.Copy(loader!, copy);
        string? previous = Marshal.PtrToStringUTF8(getenv("OCL_ICD_VENDORS"));
        setenv("OCL_ICD_VENDORS", Path.Combine(dir, "vendors"), 1);
        try
        {
            using var none = new OpenClDelegate(null, null, null, null, libraryName: copy, sourceTransform: null);
            Assert.That(none.UnavailableReason, Does.StartWith("no OpenCL platform: the ICD loader found no driver"));
            Assert.That(none.UnavailableReason, Does.Contain("pocl-opencl-icd"));
            Assert.That(none.Devices, Is.Empty);
        }
        finally
        {
            if (previous is null) unsetenv("OCL_ICD_VENDORS");
            else setenv("OCL_ICD_VENDORS", previous, 1);
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // the copy stays mapped into the process; a leftover temp folder is harmless
            }
        }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int unsetenv(string name);

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern nint getenv(string name);
}

/// <summary>What a device without the numerics docs/numerics.md needs gets claimed (probe results injected: PoCL has both).</summary>
[TestFixture]
public sealed class OpenClNumericsRefusalTests
{
    private static byte[] ReluThenPadThenLogistic()
    {
        var mb = new Accel.Building.ModelBuilder();
        int x = mb.Tensor("x", 1, 4, 4, 2);
        int r = mb.Tensor("r", 1, 4, 4, 2);
        mb.AddOperator(BuiltinOperator.Relu, [x], [r]);
        int p = mb.Tensor("p", 1, 6, 4, 2);
        mb.AddOperator(BuiltinOperator.Pad, [r, mb.AddConstant("pads", [4, 2], new[] { 0, 0, 1, 1, 0, 0, 0, 0 })], [p]);
        int y = mb.Tensor("y", 1, 6, 4, 2);
        mb.AddOperator(BuiltinOperator.Logistic, [p], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static ExecutionPlan Plan(Func<OpenClDeviceInfo, OpenClDeviceInfo> adjust, out IReadOnlyList<string> reasons)
    {
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new OpenClDelegate(null, null, null, null, null, null, adjust)));
        using var interpreter = new Interpreter(Model.FromBytes(ReluThenPadThenLogistic()), options);
        interpreter.AllocateTensors();
        reasons = interpreter.Plan.Refused.Select(r => $"{r.Operator}: {r.Reason}").ToArray();
        return interpreter.Plan;
    }

    [Test]
    public void ADeviceThatFlushesSubnormalsClaimsOnlyOpsThatMoveBits()
    {
        var plan = Plan(info => info with { SubnormalProblem = "x * y with x = 1E-40 gave 0x00000000" }, out var reasons);
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "reference", "opencl", "reference" }), "only PAD moves bits only");
        Assert.That(reasons, Has.Some.Contains("RELU: this OpenCL device flushes subnormals (x * y with x = 1E-40 gave 0x00000000)"));
        Assert.That(reasons, Has.Some.Contains("docs/numerics.md requires them preserved"));
    }

    [Test]
    public void ADeviceWithoutAnExactFmaRefusesTheOpsWhoseReferenceUsesFma()
    {
        var plan = Plan(info => info with { FmaExact = false, FmaProblem = "fma(1, 2, 3) gave 0x0" }, out var reasons);
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "opencl", "reference" }));
        Assert.That(reasons.Single(), Does.StartWith("LOGISTIC: ").And.Contain("the reference uses fma, and this OpenCL device has no exact one (fma(1, 2, 3) gave 0x0)"));
    }
}
