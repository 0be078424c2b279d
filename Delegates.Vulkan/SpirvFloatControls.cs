namespace Accel.Delegates.Vulkan;

/// <summary>
/// Adds SPV_KHR_float_controls execution modes (DenormPreserve, SignedZeroInfNanPreserve, RoundingModeRTE, each for
/// 32-bit floats) to a compiled compute shader, choosing at run time what the device supports. Doing it on the
/// SPIR-V words keeps every GLSL source free of device conditionals: glslc compiles each shader once, at build time.
/// </summary>
internal static class SpirvFloatControls
{
    private const uint Magic = 0x07230203;
    private const int OpExtension = 10, OpExtInstImport = 11, OpMemoryModel = 14, OpEntryPoint = 15, OpExecutionMode = 16,
        OpCapability = 17, OpExecutionModeId = 331;

    public const int DenormPreserve = 4459, SignedZeroInfNanPreserve = 4461, RoundingModeRte = 4462;

    // Each execution mode has a capability of the same name, numbered 5 higher (SPIR-V spec, §3.31).
    private const int CapabilityOffset = 5;

    /// <summary>The modes the device supports for float32 (docs/numerics.md: subnormals kept, ±0/inf/NaN honoured, RNE).</summary>
    public static int[] ModesFor(VulkanFloatControls controls)
    {
        var modes = new List<int>();
        if (controls.DenormPreserveFloat32) modes.Add(DenormPreserve);
        if (controls.SignedZeroInfNanPreserveFloat32) modes.Add(SignedZeroInfNanPreserve);
        if (controls.RoundingModeRteFloat32) modes.Add(RoundingModeRte);
        return modes.ToArray();
    }

    /// <summary>Returns a copy of <paramref name="spirv"/> whose entry point declares <paramref name="modes"/> (32-bit).</summary>
    public static uint[] Apply(ReadOnlySpan<uint> spirv, ReadOnlySpan<int> modes)
    {
        if (spirv.Length < 5 || spirv[0] != Magic) throw new InvalidDataException("not a SPIR-V module (bad magic number)");
        if (modes.Length == 0) return spirv.ToArray();

        int afterCapabilities = -1, afterModes = -1, afterEntryPoints = -1;
        uint entryPoint = 0;
        bool hasExtension = false;
        for (int at = 5; at < spirv.Length;)
        {
            int count = (int)(spirv[at] >> 16), opcode = (int)(spirv[at] & 0xFFFF);
            if (count == 0 || at + count > spirv.Length) throw new InvalidDataException($"malformed SPIR-V instruction at word {at}");
            switch (opcode)
            {
                case OpCapability:
                    afterCapabilities = at + count;
                    break;
                case OpExtension:
                    hasExtension |= ReadString(spirv.Slice(at + 1, count - 1)) == "SPV_KHR_float_controls";
                    break;
                case OpEntryPoint:
                    if (entryPoint != 0) throw new InvalidDataException("expected one entry point per compute shader");
                    entryPoint = spirv[at + 2];
                    afterEntryPoints = at + count;
                    break;
                case OpExecutionMode:
                case OpExecutionModeId:
                    afterModes = at + count;
                    break;
            }
            if (opcode is not (OpCapability or OpExtension or OpExtInstImport or OpMemoryModel or OpEntryPoint or OpExecutionMode
                or OpExecutionModeId) && afterEntryPoints > 0)
                break; // past the execution-mode section
            at += count;
        }
        if (afterCapabilities < 0 || entryPoint == 0) throw new InvalidDataException("SPIR-V module without capabilities or entry point");
        if (afterModes < 0) afterModes = afterEntryPoints;

        var output = new List<uint>(spirv.Length + 8 * modes.Length + 8);
        output.AddRange(spirv[..afterCapabilities]);
        foreach (int mode in modes)
        {
            output.Add((2u << 16) | OpCapability);
            output.Add((uint)(mode + CapabilityOffset));
        }
        if (!hasExtension)
        {
            var name = EncodeString("SPV_KHR_float_controls");
            output.Add(((uint)(1 + name.Length) << 16) | OpExtension);
            output.AddRange(name);
        }
        output.AddRange(spirv[afterCapabilities..afterModes]);
        foreach (int mode in modes)
        {
            output.Add((4u << 16) | OpExecutionMode);
            output.Add(entryPoint);
            output.Add((uint)mode);
            output.Add(32); // target width: float32
        }
        output.AddRange(spirv[afterModes..]);
        return output.ToArray();
    }

    private static uint[] EncodeString(string value)
    {
        var bytes = new byte[(value.Length / 4 + 1) * 4]; // at least one NUL terminator, padded to a word
        for (int i = 0; i < value.Length; i++) bytes[i] = (byte)value[i];
        var words = new uint[bytes.Length / 4];
        System.Buffer.BlockCopy(bytes, 0, words, 0, bytes.Length);
        return words;
    }

    private static string ReadString(ReadOnlySpan<uint> words)
    {
        var chars = new List<char>();
        foreach (uint word in words)
            for (int shift = 0; shift < 32; shift += 8)
            {
                char c = (char)((word >> shift) & 0xFF);
                if (c == '\0') return new string(chars.ToArray());
                chars.Add(c);
            }
        return new string(chars.ToArray());
    }
}
