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
}
