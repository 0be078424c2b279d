using Accel.Delegates;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>One model and its inputs, to be run on the reference interpreter and on the CPU delegate.</summary>
public sealed record BitExactCase(string Name, byte[] Model, float[][] Inputs)
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
/// compares every output element's bit pattern (so −0 ≠ +0 and NaN payloads count). Shared by the NUnit tests and the
/// IsaRunner child process.
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
        float[][] expected = referenceCache is null ? RunReference(model, c.Inputs) : CachedReference(c, model, referenceCache);
        return threadCounts.Select(threads => CompareWithDelegate(c, model, expected, threads)).ToArray();
    }

    private static float[][] RunReference(Model model, float[][] inputs)
    {
        using var reference = new Interpreter(model);
        return Run(reference, inputs);
    }

    private static float[][] CachedReference(BitExactCase c, Model model, string folder)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(c.Model);
        foreach (var input in c.Inputs) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()));
        hash.AppendData(File.ReadAllBytes(typeof(Interpreter).Assembly.Location));
        string key = Convert.ToHexString(hash.GetHashAndReset())[..24];
        string safeName = string.Concat(c.Name.Select(ch => char.IsLetterOrDigit(ch) || ch == '_' ? ch : '-'));
        string path = Path.Combine(folder, $"{safeName}-{key}.bin");
        if (File.Exists(path) && TryRead(path, out var cached))
        {
            File.SetLastAccessTimeUtc(path, DateTime.UtcNow);
            return cached;
        }
        float[][] outputs = RunReference(model, c.Inputs);
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
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.AsSpan()));
            }
        }
        File.Move(temporary, path, overwrite: true);
        return outputs;
    }

    /// <summary>Reads a cached output file; false (recompute) when it is truncated or malformed.</summary>
    private static bool TryRead(string path, out float[][] outputs)
    {
        outputs = [];
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var read = new float[reader.ReadInt32()][];
            for (int o = 0; o < read.Length; o++)
            {
                read[o] = new float[reader.ReadInt32()];
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(read[o].AsSpan());
                if (reader.Read(bytes) != bytes.Length) return false;
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

    private static BitExactOutcome CompareWithDelegate(BitExactCase c, Model model, float[][] expected, int threads)
    {
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var cpu = new Interpreter(model, options);
        float[][] actual = Run(cpu, c.Inputs);
        // Run again: a second invoke must give the same bits (no state kept between runs).
        float[][] again = Run(cpu, c.Inputs, allocate: false);
        var plan = cpu.Plan;
        var refusals = plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}").ToList();

        string? mismatch = FirstMismatch(expected, actual, "") ?? FirstMismatch(actual, again, "second invoke: ");
        return new BitExactOutcome(c.Name, threads, mismatch, plan.DelegatedNodeCount, cpu.Graph.ExecutedNodeCount, refusals);
    }

    private static float[][] Run(Interpreter interpreter, float[][] inputs, bool allocate = true)
    {
        if (allocate) interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.SetInput<float>(i, inputs[i]);
        interpreter.Invoke();
        var outputs = new float[interpreter.OutputCount][];
        for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.Output<float>(o).ToArray();
        return outputs;
    }

    /// <summary>Null when every output is bit-identical; otherwise the first differing element with both values.</summary>
    public static string? FirstMismatch(float[][] expected, float[][] actual, string prefix)
    {
        if (expected.Length != actual.Length) return $"{prefix}{actual.Length} outputs, expected {expected.Length}";
        for (int o = 0; o < expected.Length; o++)
        {
            if (expected[o].Length != actual[o].Length)
                return $"{prefix}output {o} has {actual[o].Length} elements, expected {expected[o].Length}";
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                if (e != a)
                    return $"{prefix}output {o} element {i}: reference {expected[o][i]:R} (0x{e:X8}), cpu {actual[o][i]:R} (0x{a:X8})";
            }
        }
        return null;
    }
}
