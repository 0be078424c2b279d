using Accel.Delegates;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// One model and its inputs, to be run on the reference interpreter and on the CPU delegate. Each input is an array of
/// its tensor's element type: float[], int[], long[], or byte[] for a bool tensor (any byte value: nonzero is true).
/// </summary>
public sealed record BitExactCase(string Name, byte[] Model, Array[] Inputs)
{
    public override string ToString() => Name;
}

/// <summary>The comparison of one case at one thread count.</summary>
public sealed record BitExactOutcome(string Case, int Threads, string? Mismatch, int DelegatedNodes, int ExecutedNodes,
    IReadOnlyList<string> Refusals)
{
    public bool BitIdentical => Mismatch is null;
    public bool FullyDelegated => DelegatedNodes == ExecutedNodes;

    public override string ToString() =>
        $"{Case} @{Threads}t: {(Mismatch ?? "bit-identical")}; delegated {DelegatedNodes}/{ExecutedNodes}" +
        (Refusals.Count > 0 ? $" (refused: {string.Join("; ", Refusals)})" : "");
}

/// <summary>
/// Runs a model twice — reference interpreter, and the same model with the CPU delegate at a thread count — and
/// compares every output element's bit pattern, whatever the dtype (so −0 ≠ +0 and NaN payloads count; a bool output's
/// bytes must match, 0 or 1). Shared by the NUnit tests and the IsaRunner child process.
/// </summary>
public static class BitExactHarness
{
    public static BitExactOutcome Compare(BitExactCase c, int threads) => Compare(c, [threads])[0];

    /// <summary>One reference run, then one delegate run per thread count.</summary>
    /// <param name="referenceCache">
    /// Optional folder for the reference outputs, keyed by a hash of the model, the inputs and the Runtime.Core
    /// assembly's bytes (so any change to the reference kernels computes them afresh); the reference interpreter is
    /// then run only on a cache miss. Used for the big corpus models, where the reference takes seconds.
    /// </param>
    public static IReadOnlyList<BitExactOutcome> Compare(BitExactCase c, IReadOnlyList<int> threadCounts, string? referenceCache = null)
    {
        using var model = Model.FromBytes(c.Model);
        byte[][] expected = referenceCache is null ? RunReference(model, c.Inputs) : CachedReference(c, model, referenceCache);
        return threadCounts.Select(threads => CompareWithDelegate(c, model, expected, threads)).ToArray();
    }

    private static byte[][] RunReference(Model model, Array[] inputs)
    {
        using var reference = new Interpreter(model);
        return Run(reference, inputs);
    }

    private static byte[][] CachedReference(BitExactCase c, Model model, string folder)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData("raw output bytes"u8); // the file format: outputs as bytes, whatever their dtype
        hash.AppendData(c.Model);
        foreach (var input in c.Inputs) hash.AppendData(InputBytes(input));
        hash.AppendData(File.ReadAllBytes(typeof(Interpreter).Assembly.Location));
        string key = Convert.ToHexString(hash.GetHashAndReset())[..24];
        string safeName = string.Concat(c.Name.Select(ch => char.IsLetterOrDigit(ch) || ch == '_' ? ch : '-'));
        string path = Path.Combine(folder, $"{safeName}-{key}.bin");
        if (File.Exists(path) && TryRead(path, out var cached))
        {
            File.SetLastAccessTimeUtc(path, DateTime.UtcNow);
            return cached;
        }
        byte[][] outputs = RunReference(model, c.Inputs);
        Directory.CreateDirectory(folder);
        // Entries of other builds (Debug and Release differ) stay a while; ones unused for a week go.
        foreach (string stale in Directory.GetFiles(folder, $"{safeName}-*.bin"))
            if (File.GetLastAccessTimeUtc(stale) < DateTime.UtcNow.AddDays(-7)) File.Delete(stale);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(outputs.Length);
            foreach (var output in outputs)
            {
                writer.Write(output.Length);
                writer.Write(output);
            }
        }
        File.Move(temporary, path, overwrite: true);
        return outputs;
    }

    /// <summary>Reads a cached output file; false (recompute) when it is truncated or malformed.</summary>
    private static bool TryRead(string path, out byte[][] outputs)
    {
        outputs = [];
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var read = new byte[reader.ReadInt32()][];
            for (int o = 0; o < read.Length; o++)
            {
                read[o] = new byte[reader.ReadInt32()];
                if (reader.Read(read[o]) != read[o].Length) return false;
            }
            if (reader.BaseStream.Position != reader.BaseStream.Length) return false;
            outputs = read;
            return true;
        }
        catch (Exception e) when (e is IOException or OverflowException or ArgumentException or OutOfMemoryException)
        {
            return false;
        }
    }

    private static BitExactOutcome CompareWithDelegate(BitExactCase c, Model model, byte[][] expected, int threads)
    {
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var cpu = new Interpreter(model, options);
        byte[][] actual = Run(cpu, c.Inputs);
        // Run again: a second invoke must give the same bits (no state kept between runs).
        byte[][] again = Run(cpu, c.Inputs, allocate: false);
        var plan = cpu.Plan;
        var refusals = plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}").ToList();

        var types = Enumerable.Range(0, cpu.OutputCount).Select(o => cpu.GetOutputTensor(o).Type).ToArray();
        string? mismatch = FirstMismatch(expected, actual, types, "") ?? FirstMismatch(actual, again, types, "second invoke: ");
        return new BitExactOutcome(c.Name, threads, mismatch, plan.DelegatedNodeCount, cpu.Graph.ExecutedNodeCount, refusals);
    }

    private static byte[][] Run(Interpreter interpreter, Array[] inputs, bool allocate = true)
    {
        if (allocate) interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            // int8 inputs come as sbyte[] (typed cases) or as raw byte[] (the quantized cases).
            if (ElementType(tensor.Type) != inputs[i].GetType().GetElementType()
                && !(tensor.Type == TensorType.Int8 && inputs[i] is byte[]))
                throw new ArgumentException($"input {i} ('{tensor.Name}') is {tensor.Type}; the case gives {inputs[i].GetType().Name}");
            tensor.CopyFromBytes(InputBytes(inputs[i]));
        }
        interpreter.Invoke();
        var outputs = new byte[interpreter.OutputCount][];
        for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.GetOutputTensor(o).Bytes.ToArray();
        return outputs;
    }

    /// <summary>The array type a case gives for a tensor of <paramref name="type"/> (bool: bytes).</summary>
    public static Type ElementType(TensorType type) => type switch
    {
        TensorType.Float32 => typeof(float),
        TensorType.Int32 => typeof(int),
        TensorType.Int64 => typeof(long),
        TensorType.Bool => typeof(byte),
        TensorType.UInt8 => typeof(byte),
        TensorType.Int8 => typeof(sbyte),
        TensorType.Int16 => typeof(short),
        _ => throw new NotSupportedException($"BitExactHarness has no input arrays of {type}"),
    };

    /// <summary>A case's input array as the tensor's bytes.</summary>
    public static ReadOnlySpan<byte> InputBytes(Array input) => input switch
    {
        float[] f => System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan()),
        int[] i => System.Runtime.InteropServices.MemoryMarshal.AsBytes(i.AsSpan()),
        long[] l => System.Runtime.InteropServices.MemoryMarshal.AsBytes(l.AsSpan()),
        byte[] b => b,
        sbyte[] s => System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan()),
        short[] h => System.Runtime.InteropServices.MemoryMarshal.AsBytes(h.AsSpan()),
        _ => throw new NotSupportedException($"input arrays of {input.GetType().Name}"),
    };

    /// <summary>Null when every output is bit-identical; otherwise the first differing element with both values.</summary>
    public static string? FirstMismatch(byte[][] expected, byte[][] actual, TensorType[] types, string prefix)
    {
        if (expected.Length != actual.Length) return $"{prefix}{actual.Length} outputs, expected {expected.Length}";
        for (int o = 0; o < expected.Length; o++)
        {
            int size = types[o] switch { TensorType.Int64 => 8, TensorType.Bool or TensorType.Int8 or TensorType.UInt8 => 1, TensorType.Int16 or TensorType.Float16 => 2, _ => 4 };
            if (expected[o].Length != actual[o].Length)
                return $"{prefix}output {o} has {actual[o].Length / size} elements, expected {expected[o].Length / size}";
            for (int i = 0; i < expected[o].Length; i += size)
            {
                if (expected[o].AsSpan(i, size).SequenceEqual(actual[o].AsSpan(i, size))) continue;
                return $"{prefix}output {o} ({types[o]}) element {i / size}: reference {Describe(expected[o], i, types[o])}, cpu {Describe(actual[o], i, types[o])}";
            }
        }
        return null;
    }

    private static string Describe(byte[] bytes, int offset, TensorType type) => type switch
    {
        TensorType.Float32 => $"{BitConverter.ToSingle(bytes, offset):R} (0x{BitConverter.ToUInt32(bytes, offset):X8})",
        TensorType.Int32 => BitConverter.ToInt32(bytes, offset).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorType.Int64 => BitConverter.ToInt64(bytes, offset).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorType.Bool => $"byte {bytes[offset]}",
        TensorType.Int8 => ((sbyte)bytes[offset]).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorType.UInt8 => bytes[offset].ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorType.Int16 => BitConverter.ToInt16(bytes, offset).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TensorType.Float16 => $"0x{BitConverter.ToUInt16(bytes, offset):X4}",
        _ => $"0x{BitConverter.ToUInt32(bytes, offset):X8}",
    };
}
