using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;

namespace Accel.Delegates.Vulkan;

/// <summary>What the opened device guarantees about float arithmetic (VkPhysicalDeviceFloatControlsProperties).</summary>
/// <param name="DenormPreserveFloat32">Shaders can be declared DenormPreserve (subnormals kept, as docs/numerics.md requires).</param>
/// <param name="SignedZeroInfNanPreserveFloat32">Shaders can be declared SignedZeroInfNanPreserve (no fast-math on ±0, inf, NaN).</param>
/// <param name="RoundingModeRteFloat32">Shaders can be declared RoundingModeRTE (round to nearest even, guaranteed).</param>
/// <param name="DenormFlushToZeroFloat32">Shaders can be declared DenormFlushToZero (reported for completeness).</param>
/// <param name="NeedsExtension">The modes need VK_KHR_shader_float_controls enabled (a Vulkan 1.1 device).</param>
public sealed record VulkanFloatControls(bool DenormPreserveFloat32, bool SignedZeroInfNanPreserveFloat32, bool RoundingModeRteFloat32,
    bool DenormFlushToZeroFloat32, bool NeedsExtension)
{
    public static VulkanFloatControls None { get; } = new(false, false, false, false, false);
}

/// <summary>Device limits the ops need when they plan dispatches and buffers.</summary>
public sealed record VulkanDeviceLimits(ulong MaxStorageBufferRange, uint MaxWorkGroupCountX, uint MaxPushConstantsSize)
{
    /// <summary>VkPhysicalDeviceSubgroupProperties.subgroupSize (0 when unknown).</summary>
    public uint SubgroupSize { get; init; }

    /// <summary>Compute shaders may use subgroup ballot operations (subgroupBroadcast), VK_SUBGROUP_FEATURE_BALLOT_BIT.</summary>
    public bool SubgroupBallotInCompute { get; init; }
}

/// <summary>
/// One Vulkan instance, physical device, logical device, compute queue and command pool. Opening never throws: it
/// returns null with a reason (no loader, no driver, no matching device). Not thread-safe: one interpreter uses it.
/// </summary>
internal sealed unsafe class VulkanDevice : IDisposable
{
    private const string ValidationLayer = "VK_LAYER_KHRONOS_validation";
    private const string DebugUtilsExtension = "VK_EXT_debug_utils";
    private const string FloatControlsExtension = "VK_KHR_shader_float_controls";

    private readonly DebugUtilsMessengerEXT _messenger;
    private readonly GCHandle _validationHandle;
    private bool _disposed;

    private VulkanDevice(Vk api, Instance instance, DebugUtilsMessengerEXT messenger, GCHandle validationHandle,
        VulkanObjectTracker objects, VulkanValidationLog? validation)
    {
        Api = api;
        Instance = instance;
        _messenger = messenger;
        _validationHandle = validationHandle;
        Objects = objects;
        Validation = validation;
    }

    public Vk Api { get; }
    public Instance Instance { get; }
    public PhysicalDevice PhysicalDevice { get; private set; }
    public Device Device { get; private set; }
    public Queue Queue { get; private set; }
    public uint QueueFamily { get; private set; }
    public CommandPool CommandPool { get; private set; }
    public VulkanDeviceDescription Description { get; private set; } = null!;
    public VulkanFloatControls FloatControls { get; private set; } = VulkanFloatControls.None;
    public VulkanDeviceLimits Limits { get; private set; } = null!;
    public VulkanObjectTracker Objects { get; }

    /// <summary>shaderFloat64 is supported (and enabled).</summary>
    public bool SupportsFloat64 { get; private set; }

    /// <summary>shaderInt64 is supported (and enabled): the float64 fma emulation rounds to odd on the 64-bit pattern.</summary>
    public bool SupportsInt64 { get; private set; }

    /// <summary>Messages from the validation layer, when it was enabled; null otherwise.</summary>
    public VulkanValidationLog? Validation { get; }

    /// <summary>How long to keep waiting for a submission that timed out before giving up on it (and leaking what it uses).</summary>
    public static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Some submission never finished (a hung device): nothing it might use may be destroyed, so buffers and the device
    /// are leaked from then on rather than freed under the device's feet.
    /// </summary>
    public bool HasAbandonedWork { get; set; }

    /// <summary>Set once the device reported VK_ERROR_DEVICE_LOST; every later submission fails fast.</summary>
    public bool IsLost { get; private set; }

    private PhysicalDeviceMemoryProperties _memory;

    /// <summary>
    /// Opens a device; null with <paramref name="reason"/> when Vulkan is not usable here. <paramref name="devices"/>
    /// lists what the loader enumerated (empty when it got no further).
    /// </summary>
    /// <param name="loaderLibrary">The loader's file name; null for Silk.NET's default (libvulkan.so.1 on Linux). Tests name a missing one.</param>
    public static VulkanDevice? Open(VulkanDeviceSelection selection, bool validation,
        out string? reason, out IReadOnlyList<VulkanDeviceDescription> devices, string? loaderLibrary = null)
    {
        devices = [];
        Vk api;
        try
        {
            api = loaderLibrary is null ? Vk.GetApi() : new Vk(Vk.CreateDefaultContext([loaderLibrary]));
        }
        catch (Exception e)
        {
            reason = $"no Vulkan loader (libvulkan.so.1, Debian package libvulkan1) could be loaded: {e.GetType().Name}: {e.Message}";
            return null;
        }

        VulkanDevice? device = null;
        try
        {
            device = CreateInstance(api, validation, out reason);
            if (device is null)
            {
                api.Dispose();
                return null;
            }
            devices = device.Enumerate(out var handles);
            if (devices.Count == 0)
            {
                reason = "the Vulkan loader found no physical device (no Vulkan driver/ICD: e.g. Debian package mesa-vulkan-drivers; " +
                         "check VK_ICD_FILENAMES)";
                device.Dispose();
                return null;
            }
            var chosen = selection.Choose(devices);
            if (chosen is null)
            {
                reason = $"no Vulkan device matches {selection}; devices: {string.Join("; ", devices)}";
                device.Dispose();
                return null;
            }
            reason = device.CreateLogicalDevice(chosen, handles[chosen.Index]);
            if (reason is not null)
            {
                device.Dispose();
                return null;
            }
            return device;
        }
        catch (Exception e)
        {
            reason = $"Vulkan initialisation failed: {e.GetType().Name}: {e.Message}";
            device?.Dispose();
            if (device is null) api.Dispose();
            return null;
        }
    }

    private static VulkanDevice? CreateInstance(Vk api, bool validation, out string? reason)
    {
        bool layer = validation && InstanceLayerAvailable(api, ValidationLayer);
        bool debugUtils = layer && InstanceExtensionAvailable(api, ValidationLayer, DebugUtilsExtension);

        using var appName = new Utf8Strings(["Accel"]);
        using var layers = new Utf8Strings(layer ? [ValidationLayer] : []);
        using var extensions = new Utf8Strings(debugUtils ? [DebugUtilsExtension] : []);
        var appInfo = new ApplicationInfo
        {
            SType = StructureType.ApplicationInfo,
            PApplicationName = appName.Pointers[0],
            PEngineName = appName.Pointers[0],
            ApiVersion = MakeVersion(1, 2),
        };
        var create = new InstanceCreateInfo
        {
            SType = StructureType.InstanceCreateInfo,
            PApplicationInfo = &appInfo,
            EnabledLayerCount = (uint)layers.Count,
            PpEnabledLayerNames = layers.Pointers,
            EnabledExtensionCount = (uint)extensions.Count,
            PpEnabledExtensionNames = extensions.Pointers,
        };
        Instance instance;
        var result = api.CreateInstance(&create, null, &instance);
        if (result != Result.Success)
        {
            reason = result == Result.ErrorIncompatibleDriver
                ? "vkCreateInstance: ErrorIncompatibleDriver — the Vulkan loader found no driver (ICD); install one " +
                  "(e.g. Debian package mesa-vulkan-drivers) or check VK_ICD_FILENAMES"
                : $"vkCreateInstance failed: {result}";
            return null;
        }
        var objects = new VulkanObjectTracker();
        objects.Created(VulkanObjectKind.Instance);

        VulkanValidationLog? log = layer ? new VulkanValidationLog() : null;
        var messenger = default(DebugUtilsMessengerEXT);
        var handle = default(GCHandle);
        if (debugUtils)
        {
            handle = GCHandle.Alloc(log);
            messenger = CreateMessenger(api, instance, handle, objects);
        }
        reason = null;
        return new VulkanDevice(api, instance, messenger, handle, objects, log);
    }

    private IReadOnlyList<VulkanDeviceDescription> Enumerate(out PhysicalDevice[] handles)
    {
        uint count = 0;
        Check(Api.EnumeratePhysicalDevices(Instance, &count, null), "vkEnumeratePhysicalDevices");
        handles = new PhysicalDevice[count];
        fixed (PhysicalDevice* p = handles) Check(Api.EnumeratePhysicalDevices(Instance, &count, p), "vkEnumeratePhysicalDevices");
        var list = new List<VulkanDeviceDescription>();
        for (int i = 0; i < handles.Length; i++)
        {
            PhysicalDeviceProperties properties;
            Api.GetPhysicalDeviceProperties(handles[i], &properties);
            string name = SilkMarshal.PtrToString((nint)properties.DeviceName) ?? "?";
            uint v = properties.ApiVersion;
            list.Add(new VulkanDeviceDescription(i, name, (VulkanDeviceType)properties.DeviceType,
                new Version((int)(v >> 22) & 0x7F, (int)(v >> 12) & 0x3FF, (int)(v & 0xFFF))));
        }
        return list;
    }

    /// <summary>Creates the logical device and its compute queue; a reason when the device cannot be used.</summary>
    private string? CreateLogicalDevice(VulkanDeviceDescription description, PhysicalDevice physical)
    {
        Description = description;
        PhysicalDevice = physical;
        if (description.ApiVersion < new Version(1, 1))
            return $"Vulkan device '{description.Name}' supports only Vulkan {description.ApiVersion}; 1.1 is required";

        uint familyCount = 0;
        Api.GetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, null);
        var families = new QueueFamilyProperties[familyCount];
        fixed (QueueFamilyProperties* f = families) Api.GetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, f);
        int family = Array.FindIndex(families, f => (f.QueueFlags & QueueFlags.ComputeBit) != 0 && f.QueueCount > 0);
        if (family < 0) return $"Vulkan device '{description.Name}' has no compute queue";
        QueueFamily = (uint)family;

        PhysicalDeviceProperties properties;
        Api.GetPhysicalDeviceProperties(physical, &properties);
        // Vulkan 1.1 core (required): subgroup size and operations, for shaders that share loads through subgroupBroadcast.
        var subgroups = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties };
        var subgroupQuery = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &subgroups };
        Api.GetPhysicalDeviceProperties2(physical, &subgroupQuery);
        Limits = new VulkanDeviceLimits(properties.Limits.MaxStorageBufferRange, properties.Limits.MaxComputeWorkGroupCount[0],
            properties.Limits.MaxPushConstantsSize)
        {
            SubgroupSize = subgroups.SubgroupSize,
            SubgroupBallotInCompute = (subgroups.SupportedStages & ShaderStageFlags.ComputeBit) != 0
                                      && (subgroups.SupportedOperations & SubgroupFeatureFlags.BallotBit) != 0,
        };
        PhysicalDeviceMemoryProperties memory;
        Api.GetPhysicalDeviceMemoryProperties(physical, &memory);
        _memory = memory;

        bool core12 = description.ApiVersion >= new Version(1, 2);
        bool extension = !core12 && DeviceExtensionAvailable(physical, FloatControlsExtension);
        if (core12 || extension)
        {
            var floatControls = new PhysicalDeviceFloatControlsProperties { SType = StructureType.PhysicalDeviceFloatControlsProperties };
            var properties2 = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &floatControls };
            Api.GetPhysicalDeviceProperties2(physical, &properties2);
            FloatControls = new VulkanFloatControls(floatControls.ShaderDenormPreserveFloat32,
                floatControls.ShaderSignedZeroInfNanPreserveFloat32, floatControls.ShaderRoundingModeRtefloat32,
                floatControls.ShaderDenormFlushToZeroFloat32, extension);
        }

        // Enabled when present: the exact fma emulation (common.glsl, ACCEL_FMA_FLOAT64) computes in double precision
        // and adjusts the double's bits as a 64-bit integer.
        PhysicalDeviceFeatures supported;
        Api.GetPhysicalDeviceFeatures(physical, &supported);
        SupportsFloat64 = supported.ShaderFloat64;
        SupportsInt64 = supported.ShaderInt64;
        var enabled = new PhysicalDeviceFeatures { ShaderFloat64 = supported.ShaderFloat64, ShaderInt64 = supported.ShaderInt64 };

        float priority = 1f;
        var queueInfo = new DeviceQueueCreateInfo
        {
            SType = StructureType.DeviceQueueCreateInfo,
            QueueFamilyIndex = QueueFamily,
            QueueCount = 1,
            PQueuePriorities = &priority,
        };
        using var extensions = new Utf8Strings(extension ? [FloatControlsExtension] : []);
        var deviceInfo = new DeviceCreateInfo
        {
            SType = StructureType.DeviceCreateInfo,
            QueueCreateInfoCount = 1,
            PQueueCreateInfos = &queueInfo,
            EnabledExtensionCount = (uint)extensions.Count,
            PpEnabledExtensionNames = extensions.Pointers,
            PEnabledFeatures = &enabled,
        };
        Device device;
        var result = Api.CreateDevice(physical, &deviceInfo, null, &device);
        if (result != Result.Success) return $"vkCreateDevice on '{description.Name}' failed: {result}";
        Device = device;
        Objects.Created(VulkanObjectKind.Device);
        Queue queue;
        Api.GetDeviceQueue(device, QueueFamily, 0, &queue);
        Queue = queue;

        var poolInfo = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo,
            QueueFamilyIndex = QueueFamily,
            Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
        };
        CommandPool pool;
        result = Api.CreateCommandPool(device, &poolInfo, null, &pool);
        if (result != Result.Success) return $"vkCreateCommandPool failed: {result}";
        CommandPool = pool;
        Objects.Created(VulkanObjectKind.CommandPool);
        return null;
    }

    /// <summary>Throws a <see cref="VulkanException"/> naming the call unless it succeeded; remembers a lost device.</summary>
    public void Check(Result result, string call)
    {
        if (result == Result.Success) return;
        if (result == Result.ErrorDeviceLost) IsLost = true;
        throw new VulkanException($"{call} failed: {result}", result);
    }

    /// <summary>
    /// A storage buffer with its own memory. Device buffers prefer DEVICE_LOCAL memory; host buffers need
    /// HOST_VISIBLE | HOST_COHERENT and stay mapped (no flush/invalidate needed).
    /// </summary>
    public VulkanBuffer CreateBuffer(ulong bytes, bool hostVisible)
    {
        bytes = Math.Max(bytes, 4);
        var info = new BufferCreateInfo
        {
            SType = StructureType.BufferCreateInfo,
            Size = bytes,
            Usage = BufferUsageFlags.StorageBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit,
            SharingMode = SharingMode.Exclusive,
        };
        VkBuffer buffer;
        Check(Api.CreateBuffer(Device, &info, null, &buffer), "vkCreateBuffer");
        Objects.Created(VulkanObjectKind.Buffer);
        DeviceMemory memory = default;
        try
        {
            MemoryRequirements requirements;
            Api.GetBufferMemoryRequirements(Device, buffer, &requirements);
            uint type = hostVisible
                ? FindMemoryType(requirements.MemoryTypeBits, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit,
                    MemoryPropertyFlags.HostCachedBit)
                : FindMemoryType(requirements.MemoryTypeBits, 0, MemoryPropertyFlags.DeviceLocalBit);
            var allocate = new MemoryAllocateInfo
            {
                SType = StructureType.MemoryAllocateInfo,
                AllocationSize = requirements.Size,
                MemoryTypeIndex = type,
            };
            Check(Api.AllocateMemory(Device, &allocate, null, &memory), $"vkAllocateMemory ({requirements.Size} bytes)");
            Objects.Created(VulkanObjectKind.DeviceMemory);
            Objects.Allocated(requirements.Size);
            Check(Api.BindBufferMemory(Device, buffer, memory, 0), "vkBindBufferMemory");
            void* mapped = null;
            if (hostVisible) Check(Api.MapMemory(Device, memory, 0, Vk.WholeSize, 0, &mapped), "vkMapMemory");
            return new VulkanBuffer(buffer, memory, bytes, mapped, requirements.Size);
        }
        catch
        {
            Api.DestroyBuffer(Device, buffer, null);
            Objects.Destroyed(VulkanObjectKind.Buffer);
            if (memory.Handle != 0) FreeMemory(memory, 0);
            throw;
        }
    }

    public void DestroyBuffer(VulkanBuffer buffer)
    {
        if (HasAbandonedWork) return;
        Api.DestroyBuffer(Device, buffer.Handle, null);
        Objects.Destroyed(VulkanObjectKind.Buffer);
        FreeMemory(buffer.Memory, buffer.AllocationSize);
    }

    private void FreeMemory(DeviceMemory memory, ulong size)
    {
        Api.FreeMemory(Device, memory, null); // unmaps implicitly
        Objects.Destroyed(VulkanObjectKind.DeviceMemory);
        Objects.Freed(size);
    }

    private uint FindMemoryType(uint typeBits, MemoryPropertyFlags required, MemoryPropertyFlags preferred)
    {
        int fallback = -1;
        for (int i = 0; i < _memory.MemoryTypeCount; i++)
        {
            if ((typeBits & (1u << i)) == 0) continue;
            var flags = _memory.MemoryTypes[i].PropertyFlags;
            if ((flags & required) != required) continue;
            if ((flags & preferred) == preferred) return (uint)i;
            if (fallback < 0) fallback = i;
        }
        if (fallback < 0) throw new VulkanException($"no Vulkan memory type with {required} for this buffer", Result.ErrorOutOfDeviceMemory);
        return (uint)fallback;
    }

    public Fence CreateFence()
    {
        var info = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        Fence fence;
        Check(Api.CreateFence(Device, &info, null, &fence), "vkCreateFence");
        Objects.Created(VulkanObjectKind.Fence);
        return fence;
    }

    public void DestroyFence(Fence fence)
    {
        Api.DestroyFence(Device, fence, null);
        Objects.Destroyed(VulkanObjectKind.Fence);
    }

    public CommandBuffer AllocateCommandBuffer()
    {
        var info = new CommandBufferAllocateInfo
        {
            SType = StructureType.CommandBufferAllocateInfo,
            CommandPool = CommandPool,
            Level = CommandBufferLevel.Primary,
            CommandBufferCount = 1,
        };
        CommandBuffer buffer;
        Check(Api.AllocateCommandBuffers(Device, &info, &buffer), "vkAllocateCommandBuffers");
        Objects.Created(VulkanObjectKind.CommandBuffer);
        return buffer;
    }

    public void FreeCommandBuffer(CommandBuffer buffer)
    {
        Api.FreeCommandBuffers(Device, CommandPool, 1, &buffer);
        Objects.Destroyed(VulkanObjectKind.CommandBuffer);
    }

    /// <summary>Submits one command buffer that signals <paramref name="fence"/>. Allocates nothing.</summary>
    public void Submit(CommandBuffer commandBuffer, Fence fence)
    {
        if (IsLost) throw new VulkanException("the Vulkan device was lost earlier; nothing can run on it", Result.ErrorDeviceLost);
        var submit = new SubmitInfo
        {
            SType = StructureType.SubmitInfo,
            CommandBufferCount = 1,
            PCommandBuffers = &commandBuffer,
        };
        Check(Api.QueueSubmit(Queue, 1, &submit, fence), "vkQueueSubmit");
    }

    /// <summary>Waits for a fence up to <paramref name="timeout"/>: Success, Timeout, or an error (device lost marks the device).</summary>
    public Result Wait(Fence fence, TimeSpan timeout)
    {
        ulong nanoseconds = timeout >= TimeSpan.FromDays(365) ? ulong.MaxValue : (ulong)timeout.Ticks * 100;
        var result = Api.WaitForFences(Device, 1, &fence, true, nanoseconds);
        if (result == Result.ErrorDeviceLost) IsLost = true;
        return result;
    }

    public void ResetFence(Fence fence) => Check(Api.ResetFences(Device, 1, &fence), "vkResetFences");

    /// <summary>Compile-time helper: records a command buffer, submits it and waits (bounded by <paramref name="timeout"/>).</summary>
    public void RunOnce(TimeSpan timeout, Action<CommandBuffer> record)
    {
        var commandBuffer = AllocateCommandBuffer();
        var fence = CreateFence();
        bool completed = false;
        try
        {
            var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
            Check(Api.BeginCommandBuffer(commandBuffer, &begin), "vkBeginCommandBuffer");
            record(commandBuffer);
            Check(Api.EndCommandBuffer(commandBuffer), "vkEndCommandBuffer");
            Submit(commandBuffer, fence);
            var result = Wait(fence, timeout);
            if (result == Result.Timeout)
            {
                // The caller frees the buffers this work uses once we throw: they must not be in use any more.
                if (Wait(fence, AbandonGrace) == Result.Timeout) HasAbandonedWork = true;
                throw new VulkanException($"a compile-time submission did not finish within {timeout.TotalSeconds:0.######} s", Result.Timeout);
            }
            Check(result, "vkWaitForFences");
            completed = true;
        }
        finally
        {
            // A submission still running keeps its command buffer and fence: destroying them would be undefined.
            if (completed || !HasAbandonedWork)
            {
                DestroyFence(fence);
                FreeCommandBuffer(commandBuffer);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (HasAbandonedWork) return; // the device still runs work that never finished: destroying it could crash
        if (Device.Handle != 0)
        {
            if (CommandPool.Handle != 0)
            {
                Api.DestroyCommandPool(Device, CommandPool, null); // frees its command buffers too
                Objects.Destroyed(VulkanObjectKind.CommandPool);
            }
            Api.DestroyDevice(Device, null);
            Objects.Destroyed(VulkanObjectKind.Device);
        }
        if (_messenger.Handle != 0)
        {
            var destroy = (delegate* unmanaged<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void>)
                Api.GetInstanceProcAddr(Instance, "vkDestroyDebugUtilsMessengerEXT").Handle;
            destroy(Instance, _messenger, null);
            Objects.Destroyed(VulkanObjectKind.DebugMessenger);
        }
        Api.DestroyInstance(Instance, null);
        Objects.Destroyed(VulkanObjectKind.Instance);
        if (_validationHandle.IsAllocated) _validationHandle.Free();
        Api.Dispose();
    }

    /// <summary>Vulkan's VK_MAKE_API_VERSION(0, major, minor, 0).</summary>
    private static uint MakeVersion(uint major, uint minor) => (major << 22) | (minor << 12);

    private static bool InstanceLayerAvailable(Vk api, string name)
    {
        uint count = 0;
        api.EnumerateInstanceLayerProperties(&count, null);
        var layers = new LayerProperties[count];
        fixed (LayerProperties* p = layers) api.EnumerateInstanceLayerProperties(&count, p);
        foreach (var layer in layers)
            if (SilkMarshal.PtrToString((nint)layer.LayerName) == name) return true;
        return false;
    }

    private static bool InstanceExtensionAvailable(Vk api, string layer, string name)
    {
        using var layerName = new Utf8Strings([layer]);
        uint count = 0;
        api.EnumerateInstanceExtensionProperties(layerName.Pointers[0], &count, null);
        var extensions = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = extensions) api.EnumerateInstanceExtensionProperties(layerName.Pointers[0], &count, p);
        foreach (var extension in extensions)
            if (SilkMarshal.PtrToString((nint)extension.ExtensionName) == name) return true;
        return false;
    }

    private bool DeviceExtensionAvailable(PhysicalDevice physical, string name)
    {
        uint count = 0;
        Api.EnumerateDeviceExtensionProperties(physical, (byte*)null, &count, null);
        var extensions = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = extensions) Api.EnumerateDeviceExtensionProperties(physical, (byte*)null, &count, p);
        foreach (var extension in extensions)
            if (SilkMarshal.PtrToString((nint)extension.ExtensionName) == name) return true;
        return false;
    }

    private static DebugUtilsMessengerEXT CreateMessenger(Vk api, Instance instance, GCHandle log, VulkanObjectTracker objects)
    {
        var create = (delegate* unmanaged<Instance, DebugUtilsMessengerCreateInfoEXT*, AllocationCallbacks*, DebugUtilsMessengerEXT*, Result>)
            api.GetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT").Handle;
        if (create == null) return default;
        var info = new DebugUtilsMessengerCreateInfoEXT
        {
            SType = StructureType.DebugUtilsMessengerCreateInfoExt,
            MessageSeverity = DebugUtilsMessageSeverityFlagsEXT.WarningBitExt | DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt,
            MessageType = DebugUtilsMessageTypeFlagsEXT.GeneralBitExt | DebugUtilsMessageTypeFlagsEXT.ValidationBitExt |
                          DebugUtilsMessageTypeFlagsEXT.PerformanceBitExt,
            PfnUserCallback = new PfnDebugUtilsMessengerCallbackEXT(&OnValidationMessage),
            PUserData = (void*)GCHandle.ToIntPtr(log),
        };
        DebugUtilsMessengerEXT messenger;
        if (create(instance, &info, null, &messenger) != Result.Success) return default;
        objects.Created(VulkanObjectKind.DebugMessenger);
        return messenger;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static Silk.NET.Core.Bool32 OnValidationMessage(DebugUtilsMessageSeverityFlagsEXT severity, DebugUtilsMessageTypeFlagsEXT types,
        DebugUtilsMessengerCallbackDataEXT* data, void* userData)
    {
        if (GCHandle.FromIntPtr((nint)userData).Target is VulkanValidationLog log)
            log.Add((severity & DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt) != 0,
                SilkMarshal.PtrToString((nint)data->PMessage) ?? "");
        return false;
    }

    /// <summary>Null-terminated UTF-8 copies of strings, with an array of pointers to them, for Vulkan create-infos.</summary>
    private sealed class Utf8Strings : IDisposable
    {
        private readonly nint[] _strings;

        public Utf8Strings(string[] values)
        {
            Count = values.Length;
            _strings = values.Select(v => (nint)SilkMarshal.StringToPtr(v, NativeStringEncoding.UTF8)).ToArray();
            Pointers = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, Count), (nuint)sizeof(nint));
            for (int i = 0; i < Count; i++) Pointers[i] = (byte*)_strings[i];
        }

        public int Count { get; }
        public byte** Pointers { get; }

        public void Dispose()
        {
            foreach (var s in _strings) SilkMarshal.Free(s);
            NativeMemory.Free(Pointers);
        }
    }
}

/// <summary>Validation-layer messages (warnings and errors) collected by the debug-utils messenger.</summary>
public sealed class VulkanValidationLog
{
    private readonly List<string> _messages = new();
    private readonly object _lock = new();

    public int ErrorCount { get; private set; }

    public IReadOnlyList<string> Messages
    {
        get { lock (_lock) return _messages.ToArray(); }
    }

    internal void Add(bool error, string message)
    {
        lock (_lock)
        {
            if (error) ErrorCount++;
            _messages.Add((error ? "error: " : "warning: ") + message);
        }
    }
}
