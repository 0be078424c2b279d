using System.Globalization;
using System.Security.Cryptography;

namespace Accel.Cli;

/// <summary>Shared helpers of the commands: opening models and formatting numbers, shapes and tensors.</summary>
internal static class Formatting
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Opens a model file with clear errors for a missing path or a directory.</summary>
    public static Model OpenModel(string path)
    {
        CheckModelPath(path);
        return Model.FromFile(path);
    }

    /// <summary>Throws when <paramref name="path"/> is no file: before any progress line, so a typo is one error line.</summary>
    public static void CheckModelPath(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"model path is a directory, not a .tflite file: {path}");
        if (!File.Exists(path)) throw new CliException($"model file not found: {path}");
    }

    /// <summary>Lower-case hex SHA-256 of a file, streamed.</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Shape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>e.g. <c>float32[1,128,128,3]</c>, as the oracle prints tensors.</summary>
    public static string TypeAndShape(TensorType type, ReadOnlySpan<int> shape) => type.ToDisplayName() + Shape(shape);

    public static string Count(long value) => value.ToString("N0", Invariant);

    /// <summary>Bytes with a binary-prefixed size, e.g. <c>1,234,567 B (1.18 MiB)</c>.</summary>
    public static string Bytes(long bytes)
    {
        string exact = Count(bytes) + " B";
        if (bytes < 1024) return exact;
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return $"{exact} ({value.ToString("0.##", Invariant)} {units[unit]})";
    }

    /// <summary>Large counts with a decimal suffix, e.g. <c>31.2 M</c>.</summary>
    public static string Short(long value)
    {
        if (value < 10_000) return value.ToString(Invariant);
        (double divisor, string suffix) = value switch
        {
            >= 1_000_000_000_000 => (1e12, "T"),
            >= 1_000_000_000 => (1e9, "G"),
            >= 1_000_000 => (1e6, "M"),
            _ => (1e3, "k"),
        };
        return (value / divisor).ToString("0.##", Invariant) + " " + suffix;
    }

    public static string Percent(long part, long total) =>
        total == 0 ? "-" : (100.0 * part / total).ToString("0.0", Invariant) + "%";

    public static string Number(double value) =>
        double.IsNaN(value) ? "nan" : value.ToString("g6", Invariant);

    public static string Milliseconds(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.00", Invariant) + " ms";

    /// <summary>Quantization in one line, or null when the tensor is not quantized.</summary>
    public static string? Quantization(QuantizationParameters q)
    {
        if (!q.IsQuantized) return null;
        if (q.Scale.Length == 1)
            return $"scale={q.Scale[0].ToString("G9", Invariant)} zero_point={(q.ZeroPoint.Length > 0 ? q.ZeroPoint[0] : 0)}";
        return $"per-channel on axis {q.QuantizedDimension} ({q.Scale.Length} scales)";
    }
}

/// <summary>A plain text table: left-aligned text columns, right-aligned numeric ones, two spaces apart.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = new();

    public TextTable(params string[] headers)
    {
        _headers = headers.Select(h => h.TrimStart('>')).ToArray();
        _rightAligned = headers.Select(h => h.StartsWith('>')).ToArray();
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter writer, string indent = "  ")
    {
        if (writer is RichConsoleWriter terminal && terminal.TryWriteTable(_headers, _rightAligned, _rows, indent.Length)) return;
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
            for (int c = 0; c < widths.Length; c++)
                widths[c] = Math.Max(widths[c], c < row.Length ? row[c].Length : 0);
        foreach (var row in _rows.Prepend(_headers))
        {
            var cells = new string[widths.Length];
            for (int c = 0; c < widths.Length; c++)
            {
                string cell = c < row.Length ? row[c] : "";
                cells[c] = _rightAligned[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]);
            }
            writer.WriteLine(indent + string.Join("  ", cells).TrimEnd());
        }
    }
}
