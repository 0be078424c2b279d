using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>Runs a model on the reference interpreter and with the OpenCL delegate (PoCL here) and compares bits.</summary>
internal static class OpenClHarness
{
    public static float[][] RandomInputs(Model model, Random random, double specialFraction) =>
        DelegateHarness.RandomInputs(model, random, specialFraction);

    public static float[] Values(Random random, int count, double specialFraction = 0) =>
        DelegateHarness.Values(random, count, specialFraction);

    /// <summary>A fresh delegate on the test device; OpenCL must be available (scripts/ensure-packages.sh installs PoCL).</summary>
    public static OpenClDelegate CreateDelegate(TimeSpan? timeout = null)
    {
        var openCl = new OpenClDelegate(timeout: timeout);
        Assert.That(openCl.UnavailableReason, Is.Null, "OpenCL must be available for these tests (pocl-opencl-icd, ocl-icd-libopencl1)");
        return openCl;
    }

    /// <summary>Runs both (the delegated one invoked twice) and asserts every output is bit-identical; returns the delegated plan.</summary>
    public static ExecutionPlan AssertBitExact(byte[] modelBytes, float[][] inputs, string name)
    {
        var model = Model.FromBytes(modelBytes);
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, CreateDelegate(), out var plan);
        AssertSameBits(expected, actual, name);
        return plan!;
    }

    public static void AssertSameBits(float[][] expected, float[][] actual, string name) =>
        DelegateHarness.AssertSameBits(expected, actual, name, "opencl");

    public static int Tensor(this ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);
}
