using Accel.Testing.Contract;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The device-delegate contract tests shared with Vulkan (Delegates.Testing/Contract) on OpenCL.</summary>
public sealed class OpenClSharedContractTests : DeviceDelegateContractTests
{
    protected override IAccelDelegate CreateDelegate() => OpenClHarness.CreateDelegate();
}
