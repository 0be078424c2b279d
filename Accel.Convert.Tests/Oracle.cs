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
        string root = RepoRoot();
        string script = Path.Combine(root, "conformance", "oracle", "run.mjs");
        if (!Directory.Exists(Path.Combine(root, "conformance", "oracle", "node_modules")))
            Assert.Fail("the oracle's node_modules are missing: run scripts/ensure-assets.sh");
        string dir = Directory.CreateTempSubdirectory("accel-convert-oracle-").FullName;
        try
        {
            string model = Path.Combine(dir, "model.tflite");
            File.WriteAllBytes(model, tflite);
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(model);
            for (int i = 0; i < inputs.Count; i++)
            {
                string file = Path.Combine(dir, $"in{i}.bin");
                File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(inputs[i].AsSpan()).ToArray());
                psi.ArgumentList.Add("--input");
                psi.ArgumentList.Add($"{i}={file}");
            }
            psi.ArgumentList.Add("--output-dir");
            psi.ArgumentList.Add(Path.Combine(dir, "out"));
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(300_000)) { p.Kill(true); Assert.Fail("the oracle ran past 5 minutes"); }
            Assert.That(p.ExitCode, Is.EqualTo(0), "oracle failed: " + stderr.Result);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "outputs.json")));
            var r = new Dictionary<string, (int[], float[])>();
            foreach (var o in json.RootElement.GetProperty("outputs").EnumerateArray())
            {
                int index = o.GetProperty("index").GetInt32();
                int[] shape = o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "out", $"output_{index}.bin"));
                r[o.GetProperty("name").GetString()!] = (shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
            }
            return r;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
