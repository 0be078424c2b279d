using Accel.Testing.OpSuite;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// The cross-backend op suite (Delegates.Testing/OpSuite) on the Vulkan delegate, on the test device (lavapipe unless
/// the environment names a driver; see <see cref="VulkanTestEnvironment"/>); ignored with the reason where Vulkan is
/// unavailable. A delegate per case (its device buffers and uploaded constants are per model); with the validation
/// layer on (VK_INSTANCE_LAYERS or ACCEL_VULKAN_VALIDATION=1), any validation error fails the case.
/// </summary>
public sealed class VulkanOpSuite : OpSuiteTests
{
    protected override IAccelDelegate CreateDelegate() => new VulkanDelegate(validation: VulkanTestEnvironment.ValidationRequested);

    protected override IReadOnlyDictionary<string, string> Refuses { get; } = new Dictionary<string, string>
    {
        [Features.MeanManyRuns] = "runs of dimensions remain",
    };

    protected override string? Inspect(OpCase c, IAccelDelegate accelDelegate) =>
        accelDelegate is VulkanDelegate { ValidationLog: { ErrorCount: > 0 } log }
            ? "validation errors: " + string.Join("\n", log.Messages)
            : null;
}
