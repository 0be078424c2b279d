using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Accel.Conformance.Running;

namespace Accel.Conformance.Goldens;

/// <summary>
/// conformance/cases/goldens.json: per case, the reference executor's outputs as SHA-256 (NaN-canonical, see
/// <see cref="OutputComparer.CanonicalSha256"/>) + a small summary (raw bytes
/// inline, base64, when an output is at most <see cref="RawLimitBytes"/>), the hashes of the inputs they were made
/// from, and the TFLite cross-check measured when they were generated. Written one case per line so diffs read well.
/// </summary>
public sealed class GoldenManifest
{
    public const string SchemaId = "accel-conformance-goldens/1";

    /// <summary>Outputs up to this size are stored raw, so a mismatch against them gets full statistics without a reference run.</summary>
    public const int RawLimitBytes = 1024;

    public string Schema { get; set; } = SchemaId;

    public string Description { get; set; } =
        "Goldens of the Accel conformance suite: the reference executor's outputs (SHA-256, summary, raw bytes when small). " +
        "Regenerate with 'accel conform --generate' (refuses to change existing goldens without --update). See conformance/README.md.";

    public ToleranceSpec Tolerances { get; set; } = new();

    public SortedDictionary<string, GoldenCase> Cases { get; set; } = new(StringComparer.Ordinal);

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Reads and checks a manifest; anything wrong is a <see cref="SuiteFileException"/> naming the file.</summary>
    public static GoldenManifest Load(string path)
    {
        if (!File.Exists(path))
            throw new SuiteFileException(path, "goldens manifest not found (create it with 'accel conform --generate')");
        GoldenManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<GoldenManifest>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new SuiteFileException(path, $"goldens manifest is corrupt: {e.Message}", e);
        }
        if (manifest is null) throw new SuiteFileException(path, "goldens manifest is empty (null)");
        if (manifest.Schema != SchemaId)
            throw new SuiteFileException(path, $"goldens manifest has schema '{manifest.Schema}', expected '{SchemaId}'");
        if (manifest.Cases is null) throw new SuiteFileException(path, "goldens manifest has no 'cases'");
        foreach (var (id, golden) in manifest.Cases)
        {
            string? problem = golden?.Validate();
            if (problem is not null) throw new SuiteFileException(path, $"goldens manifest is corrupt: case '{id}': {problem}");
        }
        manifest.Cases = new SortedDictionary<string, GoldenCase>(manifest.Cases, StringComparer.Ordinal);
        return manifest;
    }

    public void Save(string path)
    {
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append($"  \"schema\": {Json(Schema)},\n");
        text.Append($"  \"description\": {Json(Description)},\n");
        text.Append($"  \"tolerances\": {Json(Tolerances)},\n");
        text.Append("  \"cases\": {");
        bool first = true;
        foreach (var (id, golden) in Cases)
        {
            text.Append(first ? "\n" : ",\n");
            first = false;
            text.Append($"    {Json(id)}: {Json(golden)}");
        }
        text.Append(first ? "}\n" : "\n  }\n");
        text.Append("}\n");
        string temp = path + ".tmp";
        File.WriteAllText(temp, text.ToString(), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);
}

/// <summary>The issue-2 tolerances model cases must meet against TFLite.</summary>
public sealed class ToleranceSpec
{
    /// <summary>‖accel − tflite‖₂ / ‖tflite‖₂ at most this.</summary>
    public double RelativeL2 { get; set; } = 1e-4;

    /// <summary>max |accel − tflite| at most this × max(1, max |tflite|).</summary>
    public double MaxAbsDiffFactor { get; set; } = 1e-3;
}

public sealed class GoldenCase
{
    /// <summary><c>model</c> or <c>op</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The model file name, or <c>in-memory</c> for op cases.</summary>
    public string Model { get; set; } = "";

    public string ModelSha256 { get; set; } = "";
    public List<GoldenTensor> Inputs { get; set; } = new();
    public List<GoldenOutput> Outputs { get; set; } = new();
    public TfliteCrossCheck? Tflite { get; set; }

    internal string? Validate()
    {
        if (Kind is not ("model" or "op")) return $"kind must be 'model' or 'op', not '{Kind}'";
        if (Inputs is null || Outputs is null || Outputs.Count == 0) return "needs 'inputs' and at least one output";
        foreach (var t in Inputs.Concat<GoldenTensor>(Outputs))
        {
            if (t is null) return "null tensor entry";
            if (!IsSha256(t.Sha256)) return $"'{t.Sha256}' is not a SHA-256 hex string";
            if (t.Shape is null || t.Dtype is null) return "a tensor lacks shape or dtype";
        }
        foreach (var o in Outputs)
        {
            if (o.Raw is null) continue;
            try
            {
                byte[] raw = Convert.FromBase64String(o.Raw);
                var type = Enum.GetValues<TensorType>().FirstOrDefault(t => t.ToDisplayName() == o.Dtype, TensorType.UInt8);
                if (OutputComparer.CanonicalSha256(type, raw) != o.Sha256) return $"output '{o.Name}': raw bytes do not hash to its sha256";
            }
            catch (FormatException)
            {
                return $"output '{o.Name}': raw is not base64";
            }
        }
        return null;
    }

    private static bool IsSha256(string? s) => s is { Length: 64 } && s.All(char.IsAsciiHexDigitLower);
}

public class GoldenTensor
{
    public string Name { get; set; } = "";
    public string Dtype { get; set; } = "";
    public int[] Shape { get; set; } = [];
    public string Sha256 { get; set; } = "";
}

public sealed class GoldenOutput : GoldenTensor
{
    public TensorSummary? Summary { get; set; }

    /// <summary>Base64 of the raw little-endian bytes, only when at most <see cref="GoldenManifest.RawLimitBytes"/>.</summary>
    public string? Raw { get; set; }

    /// <summary>This output against real TFLite at generation time (absent when not compared).</summary>
    public OracleFigures? Tflite { get; set; }
}

/// <summary>The TFLite cross-check of a case at generation time.</summary>
public sealed class TfliteCrossCheck
{
    /// <summary><c>compared</c> or <c>not-run</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>Why it was not run (custom op TFLite lacks, input dtype LiteRT.js cannot feed, oracle failure).</summary>
    public string? Reason { get; set; }

    /// <summary>The oracle, e.g. <c>@litertjs/core@2.5.3 (compat wasm)</c>.</summary>
    public string? Oracle { get; set; }

    /// <summary>All outputs within the tolerances.</summary>
    public bool? WithinTolerance { get; set; }

    /// <summary>The documented reason the op deliberately differs from TFLite (ops.json <c>tfliteNote</c>).</summary>
    public string? Note { get; set; }

    /// <summary>
    /// How TFLite's model differs from the case's when LiteRT.js cannot take or return a dtype (bool: CASTs around the
    /// operator, see <see cref="Cases.OpCase.OracleAdapterModel"/>); absent when TFLite ran the case's own model.
    /// </summary>
    public string? Adapter { get; set; }
}

/// <summary>
/// One output against TFLite: relative L2, max |diff| (at index) against its limit 1e-3 × max(1, max |tflite|), and
/// elements where one side is non-finite and the other differs (NaN vs NaN and equal infinities agree); and, bit for
/// bit, how many elements differ at all and how many of those are +0 against −0.
/// </summary>
public sealed record OracleFigures(
    double RelativeL2, double MaxAbsDiff, long MaxAbsDiffIndex, double MaxAbsDiffLimit, double MaxAbsReference,
    long NonFiniteMismatches, bool WithinTolerance)
{
    /// <summary>
    /// Elements whose bits differ — any NaN equals any NaN, −0 and +0 differ; integer outputs by value, bool outputs by
    /// truth value. Absent from goldens generated before it was recorded.
    /// </summary>
    public long? DifferingElements { get; init; }

    /// <summary>Of <see cref="DifferingElements"/>, the float elements where one side is +0 and the other −0.</summary>
    public long? SignedZeroMismatches { get; init; }

    /// <summary>Counts <see cref="DifferingElements"/> and <see cref="SignedZeroMismatches"/> of two outputs of one dtype and size.</summary>
    public static (long Differing, long SignedZero) ExactDifferences(TensorType type, ReadOnlySpan<byte> accel, ReadOnlySpan<byte> tflite)
    {
        if (accel.Length != tflite.Length) throw new ArgumentException($"accel has {accel.Length} bytes, tflite {tflite.Length}");
        long differing = 0, signedZero = 0;
        switch (type)
        {
            case TensorType.Float32:
                var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(accel);
                var t = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(tflite);
                for (int i = 0; i < a.Length; i++)
                {
                    if (a[i] == t[i]) continue;
                    float x = BitConverter.UInt32BitsToSingle(a[i]), y = BitConverter.UInt32BitsToSingle(t[i]);
                    if (float.IsNaN(x) && float.IsNaN(y)) continue;
                    differing++;
                    if (x == 0 && y == 0) signedZero++;
                }
                break;
            case TensorType.Bool:
                for (int i = 0; i < accel.Length; i++)
                    if (accel[i] != 0 != (tflite[i] != 0)) differing++;
                break;
            default:
                // Integer (and any other exact) dtypes: element by element, bytes compared.
                int size = Math.Max(1, type.ElementSize());
                for (int i = 0; i + size <= accel.Length; i += size)
                    if (!accel.Slice(i, size).SequenceEqual(tflite.Slice(i, size))) differing++;
                break;
        }
        return (differing, signedZero);
    }

    public static OracleFigures Measure(ReadOnlySpan<float> accel, ReadOnlySpan<float> tflite, ToleranceSpec tolerances)
    {
        if (accel.Length != tflite.Length) throw new ArgumentException($"accel has {accel.Length} elements, tflite {tflite.Length}");
        double diffSquares = 0, refSquares = 0, maxDiff = 0, maxRef = 0;
        long maxIndex = -1, nonFinite = 0;
        for (int i = 0; i < tflite.Length; i++)
        {
            double a = accel[i], r = tflite[i];
            if (!double.IsFinite(a) || !double.IsFinite(r))
            {
                if (!(double.IsNaN(a) && double.IsNaN(r) || a == r)) nonFinite++;
                continue;
            }
            double d = a - r;
            diffSquares += d * d;
            refSquares += r * r;
            if (maxIndex < 0 || Math.Abs(d) > maxDiff)
            {
                maxDiff = Math.Abs(d);
                maxIndex = i;
            }
            maxRef = Math.Max(maxRef, Math.Abs(r));
        }
        double relative = refSquares > 0 ? Math.Sqrt(diffSquares) / Math.Sqrt(refSquares) : diffSquares == 0 ? 0 : double.PositiveInfinity;
        double limit = tolerances.MaxAbsDiffFactor * Math.Max(1, maxRef);
        bool ok = nonFinite == 0 && relative <= tolerances.RelativeL2 && maxDiff <= limit;
        return new OracleFigures(relative, maxDiff, maxIndex, limit, maxRef, nonFinite, ok);
    }

    public string Describe() =>
        $"relL2 {RelativeL2:E2}, max|diff| {MaxAbsDiff:E2} (limit {MaxAbsDiffLimit:E2})" +
        (NonFiniteMismatches > 0 ? $", {NonFiniteMismatches} non-finite mismatches" : "") +
        (DifferingElements is null ? "" : DifferingElements == 0 ? ", bit-identical"
            : $", {DifferingElements} element(s) differ" + (SignedZeroMismatches > 0 ? $" ({SignedZeroMismatches} +0 against -0)" : "")) +
        (WithinTolerance ? "" : " OUT OF TOLERANCE");
}
