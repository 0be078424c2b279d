namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>The reason the CPU delegate gives for the hybrid (dynamic-range) forms it has no kernel for yet.</summary>
internal static class HybridRefusal
{
    public const string NotBuilt =
        "hybrid node (float32 input, int8 weights): the CPU delegate has no dynamic-range kernel for this operator yet; it runs on the reference";
}
