using Accel.Testing.OpSuite;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// The cross-backend op suite (Delegates.Testing/OpSuite) on the ILGPU delegate's CPU accelerator (every machine has
/// one). A delegate per case (its device buffers and uploaded constants are per model). A model the definitions
/// refuse at AllocateTensors must leave nothing on the device.
/// </summary>
public sealed class IlgpuOpSuite : OpSuiteTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);

    protected override IReadOnlyDictionary<string, string> Refuses { get; } = new Dictionary<string, string>
    {
        [Features.MeanManyRuns] = "runs of dimensions remain",
    };

    protected override string? Inspect(OpCase c, IAccelDelegate accelDelegate) =>
        c.Kind == OpCaseKind.AllocateThrows && accelDelegate is IlgpuDelegate { AllocatedDeviceBytes: > 0 } ilgpu
            ? $"a model refused at AllocateTensors left {ilgpu.AllocatedDeviceBytes} bytes on the device"
            : null;
}
