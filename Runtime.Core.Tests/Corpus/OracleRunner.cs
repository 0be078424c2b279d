using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Accel.Tests.Corpus;

/// <summary>The oracle could not be run or did not produce its outputs; the message carries node's stderr.</summary>
public sealed class OracleFailedException : Exception
{
    public OracleFailedException(string message) : base(message) { }
    public OracleFailedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>One oracle run: a model and its input tensors' raw bytes, by input index.</summary>
public sealed record OracleJob(string ModelPath, IReadOnlyList<byte[]> Inputs);

/// <summary>One output tensor as the oracle wrote it (subgraph output order).</summary>
public sealed record OracleOutput(int Index, string Name, int[] Shape, string DType, byte[] Bytes, string Sha256)
{
    public float[] AsFloats()
    {
        if (DType != "float32") throw new InvalidOperationException($"oracle output {Index} ('{Name}') is {DType}, not float32");
        return MemoryMarshal.Cast<byte, float>(Bytes).ToArray();
    }
}

/// <summary>The oracle's outputs for one job, and whether they came from the cache.</summary>
public sealed record OracleResult(string Directory, IReadOnlyList<OracleOutput> Outputs, bool FromCache);

/// <summary>
/// Runs the TFLite oracle (<c>conformance/oracle/run.mjs</c>, LiteRT.js under Node) in batch mode: one node
/// process for all jobs. Results are cached under <c>&lt;cacheRoot&gt;/&lt;model-sha256[..16]&gt;/&lt;input-sha256[..16]&gt;/</c>;
/// an entry is used only if its <c>cache-key.json</c> matches exactly (full model and input SHA-256, the installed
/// <c>@litertjs/core</c> version, the wasm build, and the SHA-256 of <c>package-lock.json</c> and <c>run.mjs</c>)
/// and every output file still has the SHA-256 that <c>outputs.json</c> records; otherwise the job is rerun.
/// </summary>
public sealed class OracleRunner
{
    public const string WasmBuild = "compat";
    private const int HashPrefixLength = 16;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly string _oracleDir;
    private readonly string _runScript;

    public OracleRunner(string repoRoot, string cacheRoot)
    {
        _oracleDir = Path.Combine(repoRoot, "conformance", "oracle");
        _runScript = Path.Combine(_oracleDir, "run.mjs");
        CacheRoot = cacheRoot;
        if (!File.Exists(_runScript)) Assert.Fail($"The oracle script {_runScript} is missing from the repository.");
        string corePackage = Path.Combine(_oracleDir, "node_modules", "@litertjs", "core", "package.json");
        if (!File.Exists(corePackage))
            Assert.Fail($"LiteRT.js is not installed ({corePackage} is missing): {CorpusAssets.EnsureAssetsHint}.");
        string version = JsonDocument.Parse(File.ReadAllText(corePackage)).RootElement.GetProperty("version").GetString() ?? "?";
        OracleVersion = $"@litertjs/core@{version}";
        _packageLockSha256 = CorpusAssets.Sha256Hex(File.ReadAllBytes(Path.Combine(_oracleDir, "package-lock.json")));
        _runScriptSha256 = CorpusAssets.Sha256Hex(File.ReadAllBytes(_runScript));
    }

    private readonly string _packageLockSha256;
    private readonly string _runScriptSha256;

    /// <summary>The default cache: <c>$ACCEL_CACHE/oracle-cache</c>.</summary>
    public static OracleRunner ForAssets(CorpusAssets assets) =>
        new(assets.RepoRoot, Path.Combine(assets.CacheDir, "oracle-cache"));

    public string CacheRoot { get; }

    /// <summary>The installed oracle package, e.g. <c>@litertjs/core@2.5.3</c>.</summary>
    public string OracleVersion { get; }

    /// <summary>Node's stderr from the last process run (per-job timings, LiteRT warnings).</summary>
    public string LastLog { get; private set; } = "";

    /// <summary>Results for <paramref name="jobs"/>, in order: cached ones read back, the rest run in one node process.</summary>
    public IReadOnlyList<OracleResult> Run(IReadOnlyList<OracleJob> jobs)
    {
        var results = new OracleResult?[jobs.Count];
        var keys = new CacheKey[jobs.Count];
        var missing = new List<int>();
        for (int n = 0; n < jobs.Count; n++)
        {
            keys[n] = KeyFor(jobs[n]);
            results[n] = TryReadCached(keys[n]);
            if (results[n] is null) missing.Add(n);
        }
        if (missing.Count == 0) return results!;

        Directory.CreateDirectory(CacheRoot);
        string work = Path.Combine(CacheRoot, $".work-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var fresh = RunUncached(missing.Select(n => jobs[n]).ToArray(), work);
            for (int k = 0; k < missing.Count; k++)
            {
                int n = missing[k];
                results[n] = Store(keys[n], fresh[k]);
            }
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
        return results!;
    }

    /// <summary>Runs all <paramref name="jobs"/> in one node process with outputs under <paramref name="workDir"/>; no cache.</summary>
    public IReadOnlyList<OracleResult> RunUncached(IReadOnlyList<OracleJob> jobs, string workDir)
    {
        Directory.CreateDirectory(workDir);
        var jobList = new List<object>();
        var outputDirs = new string[jobs.Count];
        for (int n = 0; n < jobs.Count; n++)
        {
            var inputs = new List<string>();
            for (int k = 0; k < jobs[n].Inputs.Count; k++)
            {
                string file = Path.Combine(workDir, $"job{n}-input{k}.bin");
                File.WriteAllBytes(file, jobs[n].Inputs[k]);
                inputs.Add(file);
            }
            outputDirs[n] = Path.Combine(workDir, $"job{n}");
            jobList.Add(new { model = Path.GetFullPath(jobs[n].ModelPath), inputs, outputDir = outputDirs[n] });
        }
        string jobsFile = Path.Combine(workDir, "jobs.json");
        File.WriteAllText(jobsFile, JsonSerializer.Serialize(jobList));

        RunNode(jobsFile);

        var results = new OracleResult[jobs.Count];
        for (int n = 0; n < jobs.Count; n++)
        {
            results[n] = ReadOutputDirectory(outputDirs[n], fromCache: false)
                ?? throw new OracleFailedException($"The oracle reported success but {outputDirs[n]} holds no complete result.\n{LastLog}");
        }
        return results;
    }

    private void RunNode(string jobsFile)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _oracleDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_runScript);
        start.ArgumentList.Add("--batch");
        start.ArgumentList.Add(jobsFile);
        start.ArgumentList.Add("--wasm-build");
        start.ArgumentList.Add(WasmBuild);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned null");
        }
        catch (Win32Exception e)
        {
            throw new OracleFailedException($"Cannot start 'node' ({e.Message}): install Node.js >= 20 and {CorpusAssets.EnsureAssetsHint}.", e);
        }
        using (process)
        {
            // Read both pipes concurrently so neither can fill up and block node.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new OracleFailedException($"The oracle (node run.mjs --batch) did not finish within {Timeout}.\nstderr:\n{stderr.Result}");
            }
            process.WaitForExit();
            LastLog = stderr.Result;
            if (process.ExitCode != 0)
                throw new OracleFailedException($"The oracle (node {_runScript} --batch {jobsFile}) failed with exit code {process.ExitCode}.\n" +
                    $"stderr:\n{stderr.Result}\nstdout:\n{stdout.Result}");
        }
    }

    /// <summary>Reads <c>outputs.json</c> and the output files of <paramref name="dir"/>; null unless complete and intact.</summary>
    private static OracleResult? ReadOutputDirectory(string dir, bool fromCache)
    {
        string manifest = Path.Combine(dir, "outputs.json");
        if (!File.Exists(manifest)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
            var outputs = new List<OracleOutput>();
            foreach (var o in doc.RootElement.GetProperty("outputs").EnumerateArray())
            {
                int index = o.GetProperty("index").GetInt32();
                string file = Path.Combine(dir, $"output_{index}.bin");
                if (!File.Exists(file)) return null;
                byte[] bytes = File.ReadAllBytes(file);
                string sha = o.GetProperty("sha256").GetString() ?? "";
                if (CorpusAssets.Sha256Hex(bytes) != sha) return null;
                outputs.Add(new OracleOutput(index, o.GetProperty("name").GetString() ?? "",
                    o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                    o.GetProperty("dtype").GetString() ?? "", bytes, sha));
            }
            return new OracleResult(dir, outputs, fromCache);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private sealed record CacheKey(string Directory, string Json);

    private CacheKey KeyFor(OracleJob job)
    {
        string modelSha = CorpusAssets.Sha256Hex(File.ReadAllBytes(job.ModelPath));
        string[] inputShas = job.Inputs.Select(i => CorpusAssets.Sha256Hex(i)).ToArray();
        // One input (every corpus model): the folder is named by that input's hash; several: by the hash of their hashes.
        string inputsSha = inputShas.Length == 1
            ? inputShas[0]
            : CorpusAssets.Sha256Hex(Encoding.UTF8.GetBytes(string.Join("\n", inputShas)));
        string json = JsonSerializer.Serialize(new
        {
            modelSha256 = modelSha,
            inputSha256 = inputShas,
            oracle = OracleVersion,
            wasmBuild = WasmBuild,
            packageLockSha256 = _packageLockSha256,
            runMjsSha256 = _runScriptSha256,
        }, new JsonSerializerOptions { WriteIndented = true });
        return new CacheKey(Path.Combine(CacheRoot, modelSha[..HashPrefixLength], inputsSha[..HashPrefixLength]), json);
    }

    private static OracleResult? TryReadCached(CacheKey key)
    {
        string keyFile = Path.Combine(key.Directory, "cache-key.json");
        if (!File.Exists(keyFile) || File.ReadAllText(keyFile) != key.Json) return null;
        return ReadOutputDirectory(key.Directory, fromCache: true);
    }

    /// <summary>Moves a fresh result into its cache folder (atomically, by rename) and returns it read from there.</summary>
    private static OracleResult Store(CacheKey key, OracleResult fresh)
    {
        File.WriteAllText(Path.Combine(fresh.Directory, "cache-key.json"), key.Json);
        Directory.CreateDirectory(Path.GetDirectoryName(key.Directory)!);
        if (Directory.Exists(key.Directory)) Directory.Delete(key.Directory, recursive: true); // stale or damaged entry
        try
        {
            Directory.Move(fresh.Directory, key.Directory);
        }
        catch (IOException) when (TryReadCached(key) is not null)
        {
            // Another test process stored the same entry first; theirs is as good as ours.
        }
        return (TryReadCached(key) ?? throw new OracleFailedException($"Could not store the oracle result in {key.Directory}."))
            with { FromCache = false };
    }
}
