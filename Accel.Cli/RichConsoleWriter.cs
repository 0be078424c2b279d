using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Accel.Cli;

/// <summary>
/// Standard output when it is an interactive terminal and colour is allowed: text passes through unchanged, and
/// <see cref="TextTable"/> draws its tables with Spectre.Console on <see cref="Console"/>. Chosen once at the edge
/// (<see cref="AccelCli.Run"/>); redirected output, <c>--no-color</c> and <c>NO_COLOR</c> keep the plain writer, so
/// scripts and tests always read plain text.
/// </summary>
internal sealed class RichConsoleWriter(TextWriter inner, IAnsiConsole console) : TextWriter
{
    public IAnsiConsole Console { get; } = console;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(value);

    public override void WriteLine(string? value) => inner.WriteLine(value);

    public override void Flush() => inner.Flush();

    /// <summary>
    /// <paramref name="stdout"/> wrapped for the terminal when it is the process's console output, not redirected, and
    /// neither <paramref name="noColor"/> nor NO_COLOR (in <paramref name="environment"/>) asks for plain text.
    /// </summary>
    public static TextWriter ForTerminal(TextWriter stdout, bool noColor, CliEnvironment environment)
    {
        if (noColor || environment.NoColor || !ReferenceEquals(stdout, System.Console.Out) || System.Console.IsOutputRedirected) return stdout;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        return new RichConsoleWriter(stdout, console);
    }

    /// <summary>
    /// Draws a rounded-border table of <paramref name="headers"/> and <paramref name="rows"/>, right-aligned where
    /// asked, indented like the plain table; false (nothing written) when it would not fit the terminal's width, where
    /// wrapped cells would be harder to read than the plain table.
    /// </summary>
    public bool TryWriteTable(IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned, IReadOnlyList<string[]> rows, int indent)
    {
        int width = indent + 1;
        for (int c = 0; c < headers.Count; c++)
            width += 3 + Math.Max(headers[c].Length, rows.Select(r => c < r.Length ? r[c].Length : 0).DefaultIfEmpty(0).Max());
        if (width > Console.Profile.Width) return false;
        var table = new Table().Border(TableBorder.Rounded);
        for (int c = 0; c < headers.Count; c++)
            table.AddColumn(new TableColumn(new Text(headers[c], new Style(decoration: Decoration.Bold))) { Alignment = rightAligned[c] ? Justify.Right : Justify.Left });
        foreach (var row in rows)
            table.AddRow(Enumerable.Range(0, headers.Count).Select(c => (IRenderable)new Text(c < row.Length ? row[c] : "")).ToArray());
        Console.Write(new Padder(table, new Spectre.Console.Padding(indent, 0, 0, 0)));
        return true;
    }
}
