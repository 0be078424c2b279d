namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// Points the Vulkan loader at Mesa's lavapipe when the environment names no driver and lavapipe is installed: it
/// makes instance creation ~5x faster (other ICDs are not probed) and the tests deterministic on CI. An explicit
/// VK_ICD_FILENAMES / VK_DRIVER_FILES (e.g. a real GPU's) is left alone.
/// </summary>
[SetUpFixture]
public sealed class VulkanTestEnvironment
{
    public const string LavapipeIcd = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";

    [OneTimeSetUp]
    public void UseLavapipeUnlessTold()
    {
        if (Environment.GetEnvironmentVariable("VK_ICD_FILENAMES") is null && Environment.GetEnvironmentVariable("VK_DRIVER_FILES") is null
            && File.Exists(LavapipeIcd))
            Environment.SetEnvironmentVariable("VK_ICD_FILENAMES", LavapipeIcd);
    }
}
