namespace Accel.Conformance.Cases;

/// <summary>Writes a case's model and inputs as files, in the oracle's input format, to reproduce it elsewhere.</summary>
public static class CaseExport
{
    /// <summary>The case id with every character other than letters, digits, '.', '_', '=' and '-' replaced by '_'.</summary>
    public static string DirectoryName(string caseId) =>
        new(caseId.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '=' or '-' ? ch : '_').ToArray());

    /// <summary><c>model.tflite</c>, <c>input_&lt;i&gt;.bin</c> and <c>case.txt</c> (id, summary, oracle command line).</summary>
    public static void Write(ConformanceCase c, SuiteContext suite, string directory)
    {
        var instance = c.Materialize(suite);
        Directory.CreateDirectory(directory);
        string model = Path.Combine(directory, "model.tflite");
        if (instance.ModelBytes is not null) File.WriteAllBytes(model, instance.ModelBytes);
        else File.Copy(instance.ModelPath!, model, overwrite: true);
        var inputs = new List<string>();
        for (int i = 0; i < instance.Inputs.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(directory, $"input_{i}.bin"), instance.Inputs[i]);
            inputs.Add($"--input {i}=input_{i}.bin");
        }
        File.WriteAllText(Path.Combine(directory, "case.txt"),
            $"{c.Id}\n{c.Summary}\nmodel sha256 {instance.ModelSha256}\n" +
            $"TFLite: node conformance/oracle/run.mjs model.tflite {string.Join(" ", inputs)} --output-dir tflite\n" +
            $"Accel:  accel run model.tflite {string.Join(" ", inputs)} --output-dir accel\n");
    }
}
