using System.Diagnostics;
using System.Text.Json;

namespace Accel.Conversion.Tests;

/// <summary>Runs a .tflite in the project's TFLite oracle (LiteRT.js under Node, conformance/oracle/run.mjs).</summary>
internal static class Oracle
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Accel.sln not found above the test directory");
    }

    /// <summary>Outputs by name; inputs are given in the model's input order.</summary>
    public static Dictionary<string, (int[] Shape, float[] Data)> Run(byte[] tflite, IReadOnlyList<float[]> inputs)
    {
        var r = RunBatch([(tflite, inputs)])[0];
        Assert.That(r, Is.Not.Null, "the oracle failed to run the model (its stderr is in the test output)");
        return r!;
    }

    /// <summary>Many models in one oracle process (--batch): outputs per job, or null for a job the oracle failed.</summary>
    public static List<Dictionary<string, (int[] Shape, float[] Data)>?> RunBatch(IReadOnlyList<(byte[] Tflite, IReadOnlyList<float[]> Inputs)> jobs)
    {
        string root = RepoRoot();
        string script = Path.Combine(root, "conformance", "oracle", "run.mjs");
        if (!Directory.Exists(Path.Combine(root, "conformance", "oracle", "node_modules")))
            Assert.Fail("the oracle's node_modules are missing: run scripts/ensure-assets.sh");
        string dir = Directory.CreateTempSubdirectory("accel-convert-oracle-").FullName;
        try
        {
            var jobList = new List<object>();
            for (int j = 0; j < jobs.Count; j++)
            {
                string model = Path.Combine(dir, $"model{j}.tflite");
                File.WriteAllBytes(model, jobs[j].Tflite);
                var files = new List<string>();
                for (int i = 0; i < jobs[j].Inputs.Count; i++)
                {
                    string file = Path.Combine(dir, $"in{j}_{i}.bin");
                    File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(jobs[j].Inputs[i].AsSpan()).ToArray());
                    files.Add(file);
                }
                jobList.Add(new { model, inputs = files, outputDir = Path.Combine(dir, $"out{j}") });
            }
            string jobsFile = Path.Combine(dir, "jobs.json");
            File.WriteAllText(jobsFile, JsonSerializer.Serialize(jobList));
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add("--batch");
            psi.ArgumentList.Add(jobsFile);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(600_000)) { p.Kill(true); Assert.Fail("the oracle ran past 10 minutes"); }
            TestContext.Out.Write(stderr.Result);
            var results = new List<Dictionary<string, (int[], float[])>?>();
            for (int j = 0; j < jobs.Count; j++)
            {
                string outDir = Path.Combine(dir, $"out{j}");
                string jsonPath = Path.Combine(outDir, "outputs.json");
                if (!File.Exists(jsonPath)) { results.Add(null); continue; }
                using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
                var r = new Dictionary<string, (int[], float[])>();
                foreach (var o in json.RootElement.GetProperty("outputs").EnumerateArray())
                {
                    int index = o.GetProperty("index").GetInt32();
                    int[] shape = o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                    byte[] bytes = File.ReadAllBytes(Path.Combine(outDir, $"output_{index}.bin"));
                    float[] data = o.GetProperty("dtype").GetString() == "int64"
                        ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (float)v).ToArray()
                        : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
                    r[o.GetProperty("name").GetString()!] = (shape, data);
                }
                results.Add(r);
            }
            return results;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
