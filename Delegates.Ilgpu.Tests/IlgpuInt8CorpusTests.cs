using Accel.Testing.Contract;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The int8 corpus models (Delegates.Testing/Contract) on ILGPU's CPU accelerator.</summary>
public sealed class IlgpuInt8CorpusTests : Int8CorpusContractTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
}
