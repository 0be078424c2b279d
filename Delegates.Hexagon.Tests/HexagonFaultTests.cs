using Accel.Testing.Faults;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The shared injected-fault tests (Delegates.Testing/Faults) on the Hexagon DSP, with the int8 network (the delegate
/// claims no float node): after Dispose no DSP process and no shared-memory file of this process is left.
/// </summary>
[NonParallelizable]
public sealed class HexagonFaultTests : DelegateFaultTests
{
    protected override IAccelDelegate CreateDelegate() => new HexagonDelegate();

    protected override bool QuantizedNetwork => true;

    protected override long? HeldResources(IAccelDelegate accelDelegate)
    {
        var hexagon = (HexagonDelegate)accelDelegate;
        int process = hexagon.DspProcessId is { } pid && !HexagonTestEnvironment.ProcessIsGone(pid) ? 1 : 0;
        return process + HexagonTestEnvironment.SharedMemoryFiles().Length;
    }
}
