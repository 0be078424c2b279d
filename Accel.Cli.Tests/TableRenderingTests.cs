using Spectre.Console;

namespace Accel.Cli.Tests;

/// <summary>Tables: Spectre.Console on a terminal, plain text everywhere else (redirected, --no-color, NO_COLOR).</summary>
public sealed class TableRenderingTests
{
    private static (RichConsoleWriter Writer, StringWriter Text) Terminal(int width)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = width;
        return (new RichConsoleWriter(text, console), text);
    }

    private static TextTable Table()
    {
        var table = new TextTable(">#", "name", ">bytes");
        table.Add("[0]", "input", "12");
        table.Add("[1]", "regressors", "57344");
        return table;
    }

    [Test]
    public void OnATerminalTheTableIsDrawnWithBordersAndRightAlignment()
    {
        var (writer, text) = Terminal(120);
        Table().Write(writer);
        string drawn = text.ToString();
        Assert.That(drawn, Does.Contain("╭").And.Contain("│ [1] │ regressors │ 57344 │"));
        Assert.That(drawn, Does.Contain("│ [0] │ input      │    12 │"), "right-aligned numbers, left-aligned names");
    }

    [Test]
    public void TooWideForTheTerminalFallsBackToThePlainTable()
    {
        var (writer, text) = Terminal(20);
        Table().Write(writer);
        Assert.That(text.ToString(), Does.Not.Contain("│"));
        Assert.That(text.ToString(), Does.Contain("[1]  regressors  57344"));
    }

    [Test]
    public void ACapturedWriterGetsPlainTextEvenWithoutNoColor()
    {
        var environment = CliEnvironment.Read(_ => null);
        var captured = new StringWriter();
        Assert.That(RichConsoleWriter.ForTerminal(captured, noColor: false, environment), Is.SameAs(captured));
        Assert.That(environment with { NoColor = true }, Has.Property("NoColor").True);
        Assert.That(CliEnvironment.Read(name => name == "NO_COLOR" ? "1" : null).NoColor, Is.True);
    }

    [Test]
    public void NoColorIsAcceptedByEveryCommand()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("inspect", SmallModel.WriteTo(dir), "--no-color");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.Not.Contain("│"));
        Assert.That(CliHarness.Run("ops", "--no-color", "--markdown").ExitCode, Is.Zero);
    }
}
