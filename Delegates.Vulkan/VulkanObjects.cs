using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>Kinds of Vulkan handles this backend creates (for leak accounting).</summary>
internal enum VulkanObjectKind
{
    Instance,
    DebugMessenger,
    Device,
    CommandPool,
    CommandBuffer,
    Buffer,
    DeviceMemory,
    Fence,
    ShaderModule,
    DescriptorSetLayout,
    PipelineLayout,
    Pipeline,
    DescriptorPool,
}

/// <summary>
/// Counts the Vulkan handles and device-memory bytes this delegate has created and not yet destroyed. Every
/// vkCreate*/vkAllocate* in this assembly goes through <see cref="Created"/> and every vkDestroy*/vkFree* through
/// <see cref="Destroyed"/>, so a leak shows as a nonzero <see cref="Live"/> after Dispose.
/// </summary>
internal sealed class VulkanObjectTracker
{
    private readonly int[] _live = new int[Enum.GetValues<VulkanObjectKind>().Length];

    public long DeviceMemoryBytes { get; private set; }

    public int Live => _live.Sum();

    public int LiveOf(VulkanObjectKind kind) => _live[(int)kind];

    public void Created(VulkanObjectKind kind) => _live[(int)kind]++;

    public void Destroyed(VulkanObjectKind kind) => _live[(int)kind]--;

    public void Allocated(ulong bytes) => DeviceMemoryBytes += (long)bytes;

    public void Freed(ulong bytes) => DeviceMemoryBytes -= (long)bytes;

    public string Describe() =>
        string.Join(", ", Enum.GetValues<VulkanObjectKind>().Where(k => _live[(int)k] != 0).Select(k => $"{k}={_live[(int)k]}"));
}

/// <summary>A Vulkan call failed (out of memory, device lost, a fence that did not signal in time …).</summary>
public sealed class VulkanException : AccelException
{
    public VulkanException(string message, Result result) : base(message) => Result = result;

    /// <summary>The VkResult, or <see cref="Silk.NET.Vulkan.Result.Timeout"/> for a fence that timed out.</summary>
    public Result Result { get; }
}

/// <summary>A buffer and its own memory allocation; host-visible buffers stay mapped for their whole life.</summary>
internal sealed unsafe class VulkanBuffer
{
    public VulkanBuffer(Silk.NET.Vulkan.Buffer handle, DeviceMemory memory, ulong size, void* mapped, ulong allocationSize)
    {
        Handle = handle;
        Memory = memory;
        Size = size;
        Mapped = mapped;
        AllocationSize = allocationSize;
    }

    public Silk.NET.Vulkan.Buffer Handle { get; }
    public DeviceMemory Memory { get; }
    public ulong Size { get; }

    /// <summary>Bytes of device memory behind the buffer (≥ Size: the driver's requirement).</summary>
    public ulong AllocationSize { get; }

    /// <summary>The host address of the mapped memory; null for device-only buffers.</summary>
    public void* Mapped { get; }

    /// <summary>The mapped bytes [offset, offset + length).</summary>
    public Span<byte> HostSpan(ulong offset, int length) => new((byte*)Mapped + offset, length);
}
