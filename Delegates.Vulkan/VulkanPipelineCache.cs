using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>A compute pipeline with its layouts: set 0 holds <see cref="Bindings"/> storage buffers (0..n−1), plus push constants.</summary>
internal sealed class VulkanPipeline(Pipeline handle, PipelineLayout layout, DescriptorSetLayout setLayout, int bindings)
{
    public Pipeline Handle { get; } = handle;
    public PipelineLayout Layout { get; } = layout;
    public DescriptorSetLayout SetLayout { get; } = setLayout;
    public int Bindings { get; } = bindings;
}

/// <summary>
/// Shader modules and compute pipelines, created on first use and shared by every partition of the delegate: one
/// pipeline per (shader, specialization constants). The SPIR-V comes from the assembly's embedded resources
/// (compiled from Shaders/*.comp by glslc at build time) with the device's float-control modes added.
/// </summary>
internal sealed unsafe class VulkanPipelineCache(VulkanDevice device, bool float64Fma) : IDisposable
{
    /// <summary>Resource suffix of the shader variants compiled with common.glsl's float64 fma emulation.</summary>
    public const string Float64FmaVariant = ".fma64";

    /// <summary>Every pipeline layout declares this many push-constant bytes (the minimum Vulkan guarantees).</summary>
    public const int PushConstantBytes = 128;

    private const string ResourcePrefix = "Accel.Delegates.Vulkan.Shaders.";

    private readonly Dictionary<string, ShaderModule> _modules = new();
    private readonly Dictionary<int, (DescriptorSetLayout Set, PipelineLayout Pipeline)> _layouts = new();
    private readonly Dictionary<string, VulkanPipeline> _pipelines = new();
    private readonly int[] _floatModes = SpirvFloatControls.ModesFor(device.FloatControls);

    /// <summary>Names of the shaders embedded in this assembly (file names without .comp).</summary>
    public static IReadOnlyList<string> EmbeddedShaders { get; } = typeof(VulkanPipelineCache).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".spv", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^4]).Where(n => !n.EndsWith(Float64FmaVariant, StringComparison.Ordinal)).Order().ToArray();

    /// <summary>Whether this cache builds the float64-fma-emulation variants of the shaders.</summary>
    public bool Float64Fma => float64Fma;

    /// <summary>The SPIR-V words of an embedded shader (name with the variant suffix, if any), as glslc produced them.</summary>
    public static uint[] LoadSpirv(string shader)
    {
        using var stream = typeof(VulkanPipelineCache).Assembly.GetManifestResourceStream(ResourcePrefix + shader + ".spv")
            ?? throw new InvalidOperationException(
                $"no embedded shader '{shader}' (Shaders/{shader}.comp); embedded: {string.Join(", ", EmbeddedShaders)}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return MemoryMarshal.Cast<byte, uint>(bytes).ToArray();
    }

    public VulkanPipeline Get(string shader, int bindings, ReadOnlySpan<int> specialization)
    {
        string key = specialization.IsEmpty ? $"{shader}/{bindings}" : $"{shader}/{bindings}/{string.Join(",", specialization.ToArray())}";
        if (_pipelines.TryGetValue(key, out var cached)) return cached;

        var module = Module(shader);
        var (setLayout, pipelineLayout) = Layout(bindings);
        var entries = stackalloc SpecializationMapEntry[Math.Max(1, specialization.Length)];
        for (int i = 0; i < specialization.Length; i++)
            entries[i] = new SpecializationMapEntry { ConstantID = (uint)i, Offset = (uint)(4 * i), Size = 4 };
        fixed (int* values = specialization)
        fixed (byte* entryName = "main"u8)
        {
            var specializationInfo = new SpecializationInfo
            {
                MapEntryCount = (uint)specialization.Length,
                PMapEntries = entries,
                DataSize = (nuint)(4 * specialization.Length),
                PData = values,
            };
            var info = new ComputePipelineCreateInfo
            {
                SType = StructureType.ComputePipelineCreateInfo,
                Stage = new PipelineShaderStageCreateInfo
                {
                    SType = StructureType.PipelineShaderStageCreateInfo,
                    Stage = ShaderStageFlags.ComputeBit,
                    Module = module,
                    PName = entryName,
                    PSpecializationInfo = specialization.IsEmpty ? null : &specializationInfo,
                },
                Layout = pipelineLayout,
            };
            Pipeline pipeline;
            device.Check(device.Api.CreateComputePipelines(device.Device, default, 1, &info, null, &pipeline),
                $"vkCreateComputePipelines ({shader})");
            device.Objects.Created(VulkanObjectKind.Pipeline);
            var result = new VulkanPipeline(pipeline, pipelineLayout, setLayout, bindings);
            _pipelines[key] = result;
            return result;
        }
    }

    private ShaderModule Module(string shader)
    {
        if (_modules.TryGetValue(shader, out var module)) return module;
        var code = SpirvFloatControls.Apply(LoadSpirv(float64Fma ? shader + Float64FmaVariant : shader), _floatModes);
        fixed (uint* words = code)
        {
            var info = new ShaderModuleCreateInfo
            {
                SType = StructureType.ShaderModuleCreateInfo,
                CodeSize = (nuint)(4 * code.Length),
                PCode = words,
            };
            device.Check(device.Api.CreateShaderModule(device.Device, &info, null, &module), $"vkCreateShaderModule ({shader})");
        }
        device.Objects.Created(VulkanObjectKind.ShaderModule);
        _modules[shader] = module;
        return module;
    }

    private (DescriptorSetLayout, PipelineLayout) Layout(int bindings)
    {
        if (_layouts.TryGetValue(bindings, out var cached)) return cached;
        var descriptors = stackalloc DescriptorSetLayoutBinding[Math.Max(1, bindings)];
        for (int i = 0; i < bindings; i++)
            descriptors[i] = new DescriptorSetLayoutBinding
            {
                Binding = (uint)i,
                DescriptorType = DescriptorType.StorageBuffer,
                DescriptorCount = 1,
                StageFlags = ShaderStageFlags.ComputeBit,
            };
        var setInfo = new DescriptorSetLayoutCreateInfo
        {
            SType = StructureType.DescriptorSetLayoutCreateInfo,
            BindingCount = (uint)bindings,
            PBindings = descriptors,
        };
        DescriptorSetLayout setLayout;
        device.Check(device.Api.CreateDescriptorSetLayout(device.Device, &setInfo, null, &setLayout), "vkCreateDescriptorSetLayout");
        device.Objects.Created(VulkanObjectKind.DescriptorSetLayout);
        var push = new PushConstantRange { StageFlags = ShaderStageFlags.ComputeBit, Offset = 0, Size = PushConstantBytes };
        var layoutInfo = new PipelineLayoutCreateInfo
        {
            SType = StructureType.PipelineLayoutCreateInfo,
            SetLayoutCount = 1,
            PSetLayouts = &setLayout,
            PushConstantRangeCount = 1,
            PPushConstantRanges = &push,
        };
        PipelineLayout pipelineLayout;
        device.Check(device.Api.CreatePipelineLayout(device.Device, &layoutInfo, null, &pipelineLayout), "vkCreatePipelineLayout");
        device.Objects.Created(VulkanObjectKind.PipelineLayout);
        _layouts[bindings] = (setLayout, pipelineLayout);
        return (setLayout, pipelineLayout);
    }

    public void Dispose()
    {
        foreach (var pipeline in _pipelines.Values)
        {
            device.Api.DestroyPipeline(device.Device, pipeline.Handle, null);
            device.Objects.Destroyed(VulkanObjectKind.Pipeline);
        }
        _pipelines.Clear();
        foreach (var (set, layout) in _layouts.Values)
        {
            device.Api.DestroyPipelineLayout(device.Device, layout, null);
            device.Objects.Destroyed(VulkanObjectKind.PipelineLayout);
            device.Api.DestroyDescriptorSetLayout(device.Device, set, null);
            device.Objects.Destroyed(VulkanObjectKind.DescriptorSetLayout);
        }
        _layouts.Clear();
        foreach (var module in _modules.Values)
        {
            device.Api.DestroyShaderModule(device.Device, module, null);
            device.Objects.Destroyed(VulkanObjectKind.ShaderModule);
        }
        _modules.Clear();
    }
}
