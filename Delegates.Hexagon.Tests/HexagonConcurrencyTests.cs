using Accel.Testing.Faults;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>The shared concurrency tests (Delegates.Testing/Faults) on the Hexagon DSP, with the int8 network.</summary>
[NonParallelizable]
public sealed class HexagonConcurrencyTests : DelegateConcurrencyTests
{
    protected override IAccelDelegate CreateDelegate() => new HexagonDelegate();

    protected override bool QuantizedNetwork => true;

    /// <summary>Every interpreter starts its own emulated DSP and every invoke is a pipe round trip: fewer keep CI short.</summary>
    protected override int InvokesPerThread => 20;

    protected override int CreateDisposeCycles => 2;
}
