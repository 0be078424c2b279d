using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Accel.Cli;

/// <summary>
/// Writes what <c>accel run</c> leaves in its output directory, in the same layout as the LiteRT.js oracle
/// (conformance/oracle/run.mjs): <c>output_&lt;i&gt;.bin</c> raw little-endian bytes in model output order,
/// <c>input_&lt;i&gt;.bin</c> for every input used, and <c>outputs.json</c>.
/// </summary>
public static partial class OutputWriter
{
    public const string ManifestFileName = "outputs.json";

    public static string OutputFileName(int index) => $"output_{index}.bin";
    public static string InputFileName(int index) => $"input_{index}.bin";

    /// <summary>Lower-case hex SHA-256, as Node's <c>digest('hex')</c> prints it.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Creates <paramref name="directory"/> and removes the files an earlier run (or oracle run) left in it.</summary>
    public static void PrepareDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            if (name == ManifestFileName || OldResultFile().IsMatch(name)) File.Delete(file);
        }
    }

    public static void WriteBytes(string directory, string fileName, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(Path.Combine(directory, fileName), FileMode.Create, FileAccess.Write);
        stream.Write(bytes);
    }

    /// <summary>
    /// JSON formatted like the oracle's <c>toJson</c>: <c>JSON.stringify(obj, null, 2)</c> with arrays of integers
    /// (shapes) on one line as <c>[1, 896, 16]</c>, "\n" line ends and a final newline.
    /// </summary>
    public static string ToJson(JsonNode node)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        string json = node.ToJsonString(options);
        return IntegerArray().Replace(json, m =>
            "[" + string.Join(", ", Regex.Split(m.Groups[1].Value, @",\s*")) + "]") + "\n";
    }

    public static void WriteJson(string path, JsonNode node) => File.WriteAllText(path, ToJson(node), new UTF8Encoding(false));

    public static JsonArray ShapeJson(ReadOnlySpan<int> shape)
    {
        var array = new JsonArray();
        foreach (int d in shape) array.Add(d);
        return array;
    }

    [GeneratedRegex(@"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]")]
    private static partial Regex IntegerArray();

    [GeneratedRegex(@"^(output|input)_\d+\.bin$")]
    private static partial Regex OldResultFile();
}
