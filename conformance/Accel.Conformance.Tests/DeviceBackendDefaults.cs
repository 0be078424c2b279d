using System.Runtime.CompilerServices;

namespace Accel.Conformance.Tests;

/// <summary>
/// Runs before any test (and before the suite's test cases are enumerated): when ACCEL_ILGPU_ACCELERATOR is unset,
/// the suite runs the ILGPU column on ILGPU's CPU accelerator, so CI (no GPU) proves the ILGPU kernels bit-exact
/// on every case. Set ACCEL_ILGPU_ACCELERATOR=cuda (or opencl) to run the column on a GPU instead. The variable is
/// read at this test edge (TestSuite.CreateRegistry, and accel run in-process), never by the libraries.
/// </summary>
internal static class DeviceBackendDefaults
{
    [ModuleInitializer]
    internal static void UseIlgpuCpuAcceleratorUnlessTold()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR")))
            Environment.SetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR", "cpu");
    }
}
