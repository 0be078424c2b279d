using Accel.Testing.Contract;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The int8 corpus models (Delegates.Testing/Contract) on OpenCL.</summary>
public sealed class OpenClInt8CorpusTests : Int8CorpusContractTests
{
    protected override IAccelDelegate CreateDelegate() => OpenClHarness.CreateDelegate();
}
