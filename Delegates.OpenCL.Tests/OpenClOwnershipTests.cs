using Accel.Testing.Faults;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The shared delegate-ownership test (Delegates.Testing/Faults) on this backend.</summary>
public sealed class OpenClOwnershipTests : DelegateOwnershipTests
{
    protected override IAccelDelegate CreateDelegate() => new OpenClDelegate();
}
