using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Accel.Conformance.Oracle;

/// <summary>One model run for the oracle: a model file and its inputs' raw bytes by input index.</summary>
public sealed record OracleJob(string ModelPath, IReadOnlyList<byte[]> Inputs);

/// <summary>One output as TFLite wrote it (subgraph output order).</summary>
public sealed record OracleTensor(int Index, string Name, string DType, int[] Shape, byte[] Bytes);

/// <summary>A job's outputs, or why it failed.</summary>
public sealed record OracleJobResult(IReadOnlyList<OracleTensor>? Outputs, string? Error);

/// <summary>
/// Real TFLite: conformance/oracle/run.mjs (LiteRT.js, XNNPACK in wasm, the deterministic <c>compat</c> build) in batch
/// mode, one node process for all jobs. A failing job is reported in its result; the others still run.
/// </summary>
public sealed partial class TfliteOracle
{
    public const string WasmBuild = "compat";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);
    private readonly string _oracleDir;

    public TfliteOracle(string oracleDir)
    {
        _oracleDir = oracleDir;
        string script = Path.Combine(oracleDir, "run.mjs");
        if (!File.Exists(script)) throw new SuiteFileException(script, "the TFLite oracle script is missing");
        string package = Path.Combine(oracleDir, "node_modules", "@litertjs", "core", "package.json");
        if (!File.Exists(package)) throw new SuiteFileException(package, $"LiteRT.js is not installed ({SuitePaths.EnsureAssetsHint})");
        using var doc = JsonDocument.Parse(File.ReadAllText(package));
        Version = $"@litertjs/core@{doc.RootElement.GetProperty("version").GetString()} ({WasmBuild} wasm)";
    }

    /// <summary>E.g. <c>@litertjs/core@2.5.3 (compat wasm)</c>.</summary>
    public string Version { get; }

    /// <summary>Node's stderr of the last batch.</summary>
    public string LastLog { get; private set; } = "";

    /// <summary>LiteRT.js can feed only these input dtypes.</summary>
    public static bool CanFeed(TensorType type) => type is TensorType.Float32 or TensorType.Int32 or TensorType.UInt8;

    public IReadOnlyList<OracleJobResult> Run(IReadOnlyList<OracleJob> jobs, string workDir)
    {
        Directory.CreateDirectory(workDir);
        var list = new List<object>();
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
            list.Add(new { model = Path.GetFullPath(jobs[n].ModelPath), inputs, outputDir = outputDirs[n] });
        }
        string jobsFile = Path.Combine(workDir, "jobs.json");
        File.WriteAllText(jobsFile, JsonSerializer.Serialize(list));
        RunNode(jobsFile);

        var failures = JobFailures(LastLog);
        var results = new OracleJobResult[jobs.Count];
        for (int n = 0; n < jobs.Count; n++)
        {
            results[n] = failures.TryGetValue(n, out string? error)
                ? new OracleJobResult(null, error)
                : ReadOutputs(outputDirs[n]) is { } outputs ? new OracleJobResult(outputs, null)
                : new OracleJobResult(null, $"the oracle wrote no complete result to {outputDirs[n]}");
        }
        return results;
    }

    /// <summary>
    /// Jobs that failed, from node's stderr: <c>oracle: job N FAILED (...): message</c>, and also jobs reported
    /// <c>ok</c> after LiteRT logged <c>[litert] ERROR</c> lines for them (run.mjs then writes whatever the output
    /// buffers held: LiteRT failed to prepare or invoke, e.g. "Tensor at index 2 was optional but was expected").
    /// </summary>
    internal static Dictionary<int, string> JobFailures(string log)
    {
        var failures = new Dictionary<int, string>();
        var errors = new List<string>();
        foreach (string line in log.Split('\n'))
        {
            if (line.StartsWith("[litert] ERROR", StringComparison.Ordinal))
            {
                errors.Add(line["[litert] ERROR:".Length..].Trim());
                continue;
            }
            var m = JobStatus().Match(line);
            if (!m.Success) continue;
            int job = int.Parse(m.Groups[1].Value);
            if (m.Groups[2].Value == "FAILED") failures[job] = m.Groups[3].Value.Trim();
            else if (errors.Count > 0) failures[job] = "LiteRT reported errors: " + string.Join(" | ", errors.Where(e => e.Length > 0));
            errors.Clear();
        }
        return failures;
    }

    [GeneratedRegex(@"^oracle: job (\d+) (ok|FAILED)(?: \([^\n]*?\))?:? ?(.*)$")]
    private static partial Regex JobStatus();

    private void RunNode(string jobsFile)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _oracleDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { Path.Combine(_oracleDir, "run.mjs"), "--batch", jobsFile, "--wasm-build", WasmBuild, "--verbose" }) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned null");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start 'node' ({e.Message}): install Node.js ≥ 20 and {SuitePaths.EnsureAssetsHint}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"the oracle did not finish within {Timeout}");
            }
            process.WaitForExit();
            LastLog = stderr.Result;
            // Exit 1 means "some job failed" (reported per job); anything else is the batch itself failing.
            if (process.ExitCode is not (0 or 1))
                throw new InvalidOperationException($"the oracle (node run.mjs --batch {jobsFile}) exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        }
    }

    private static IReadOnlyList<OracleTensor>? ReadOutputs(string dir)
    {
        string manifest = Path.Combine(dir, "outputs.json");
        if (!File.Exists(manifest)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
        var outputs = new List<OracleTensor>();
        foreach (var o in doc.RootElement.GetProperty("outputs").EnumerateArray())
        {
            int index = o.GetProperty("index").GetInt32();
            string file = Path.Combine(dir, $"output_{index}.bin");
            if (!File.Exists(file)) return null;
            outputs.Add(new OracleTensor(index, o.GetProperty("name").GetString() ?? "", o.GetProperty("dtype").GetString() ?? "",
                o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(), File.ReadAllBytes(file)));
        }
        return outputs;
    }
}
