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

    /// <summary>The tests' edge: validation as ACCEL_VULKAN_VALIDATION or VK_INSTANCE_LAYERS ask for it.</summary>
    public static bool ValidationRequested => VulkanDelegate.ValidationRequested(
        Environment.GetEnvironmentVariable(VulkanDelegate.ValidationEnvironmentVariable), Environment.GetEnvironmentVariable("VK_INSTANCE_LAYERS"));

    [OneTimeSetUp]
    public void UseLavapipeUnlessTold()
    {
        if (Environment.GetEnvironmentVariable("VK_ICD_FILENAMES") is null && Environment.GetEnvironmentVariable("VK_DRIVER_FILES") is null
            && File.Exists(LavapipeIcd))
            NativeEnvironment.Set("VK_ICD_FILENAMES", LavapipeIcd);
    }
}

/// <summary>
/// Sets an environment variable for native code too: on Unix, .NET's Environment.SetEnvironmentVariable changes only
/// the managed copy, while the Vulkan loader reads the C environment (getenv).
/// </summary>
internal static class NativeEnvironment
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv(string name);

    public static void Set(string name, string? value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (value is null) UnsetEnv(name);
        else SetEnv(name, value, 1);
    }
}
