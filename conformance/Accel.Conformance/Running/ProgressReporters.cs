using System.Globalization;
using Accel.Conformance.Reports;

namespace Accel.Conformance.Running;

/// <summary>
/// Progress for redirected output (CI logs, farm logs): one plain line per case once all its backends are done,
/// e.g. <c>[  12/240] op/CONV_2D/float32/base  reference PASS 3ms  cpu PASS 0.8ms  vulkan SKIP</c>, and every
/// mismatch or error again on its own line with its message.
/// </summary>
public sealed class PlainProgress(TextWriter writer) : IRunObserver
{
    private readonly List<CellResult> _pending = new();
    private int _cases;

    public void Started(int totalCells) => writer.WriteLine($"running {totalCells} cells");

    public void CellFinished(CellResult cell, int doneCells, int totalCells)
    {
        if (_pending.Count > 0 && _pending[0].Case != cell.Case) Flush(doneCells - 1, totalCells);
        _pending.Add(cell);
        if (doneCells == totalCells) Flush(doneCells, totalCells);
    }

    public void SuiteError(string message) => writer.WriteLine($"error: {message}");

    private void Flush(int done, int total)
    {
        _cases++;
        string width = total.ToString(CultureInfo.InvariantCulture);
        writer.WriteLine($"[{done.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width}] {_pending[0].Case}  " +
                         string.Join("  ", _pending.Select(c => $"{c.Backend} {Label(c.Status)}" + (c.Status == CellStatus.Skipped ? "" : " " + Duration(c.Seconds)))));
        foreach (var c in _pending.Where(c => c.Status is CellStatus.Mismatch or CellStatus.Error))
            writer.WriteLine($"    {Label(c.Status)} {c.Backend}: {c.Message}");
        _pending.Clear();
    }

    /// <summary><c>0.4ms</c>, <c>12ms</c>, <c>3.21s</c>.</summary>
    public static string Duration(double seconds) => seconds < 1
        ? (seconds * 1000).ToString(seconds < 0.01 ? "0.#" : "0", CultureInfo.InvariantCulture) + "ms"
        : seconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    public static string Label(CellStatus status) => status switch
    {
        CellStatus.Pass => "PASS",
        CellStatus.Mismatch => "MISMATCH",
        CellStatus.Error => "ERROR",
        _ => "SKIP",
    };
}
