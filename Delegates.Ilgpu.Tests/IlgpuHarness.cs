using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>Runs a model on the reference interpreter and with the ILGPU delegate (CPU accelerator) and compares bits.</summary>
internal static class IlgpuHarness
{
    public static float[][] RandomInputs(Model model, Random random, double specialFraction) =>
        DelegateHarness.RandomInputs(model, random, specialFraction);

    public static float[] Values(Random random, int count, double specialFraction = 0) =>
        DelegateHarness.Values(random, count, specialFraction);

    /// <summary>Runs both and asserts every output is bit-identical (NaN compared as NaN); returns the delegated interpreter's plan.</summary>
    public static ExecutionPlan AssertBitExact(byte[] modelBytes, float[][] inputs, string name)
    {
        var model = Model.FromBytes(modelBytes);
        var expected = Run(model, inputs, null, out _);
        var actual = Run(model, inputs, new IlgpuDelegate(IlgpuAcceleratorKind.Cpu), out var plan);
        DelegateHarness.AssertSameBits(expected, actual, name, "ilgpu");
        return plan!;
    }

    public static float[][] Run(Model model, float[][] inputs, IlgpuDelegate? ilgpu, out ExecutionPlan? plan) =>
        DelegateHarness.Run(model, inputs, ilgpu, out plan);

    public static int Tensor(this ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);
}
