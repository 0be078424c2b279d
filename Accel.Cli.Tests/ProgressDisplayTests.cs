namespace Accel.Cli.Tests;

/// <summary>
/// The progress of long commands: a live Spectre.Console bar only on an interactive terminal, plain lines otherwise.
/// </summary>
public sealed class ProgressDisplayTests
{
    [TestCase(true, false, false, true)]
    [TestCase(true, true, false, false)]
    [TestCase(true, false, true, false)]
    [TestCase(false, false, false, false)]
    [TestCase(false, true, true, false)]
    public void TheLiveDisplayIsChosenOnlyForAnUnredirectedConsoleWithColour(bool console, bool redirected, bool noColor, bool interactive) =>
        Assert.That(CliProgress.ChooseInteractive(console, redirected, noColor), Is.EqualTo(interactive));

    [Test]
    public void AWriterThatIsNotTheConsoleGetsPlainLines()
    {
        Assert.That(CliProgress.For(new StringWriter(), noColor: false).IsInteractive, Is.False);
        // The process's own stderr with --no-color is plain too, whether or not it is a terminal.
        Assert.That(CliProgress.For(Console.Error, noColor: true).IsInteractive, Is.False);
    }

    [Test]
    public void PlainLinesNameEachPhaseOnceAndTheEndOfACountedPhase()
    {
        var writer = new StringWriter { NewLine = "\n" };
        int result = CliProgress.Plain(writer).Run("bench", task =>
        {
            task.Report("loading");
            for (int i = 1; i <= 3; i++) task.Report("timed runs", i, 3);
            task.WriteLine("a line that stays");
            return 42;
        });
        Assert.That(result, Is.EqualTo(42));
        Assert.That(writer.ToString(), Is.EqualTo("bench: loading\nbench: timed runs\nbench: timed runs 3/3\na line that stays\n"));
    }

    [Test]
    public void TheLiveDisplayDrawsWithEscapeSequencesAndKeepsWrittenLines()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var display = CliProgress.Interactive(writer);
        Assert.That(display.IsInteractive, Is.True);
        display.Run("conform", task =>
        {
            task.Report("cells", 1, 4);
            task.WriteLine("MISMATCH cpu op/ADD/float32/base: output 0");
            task.Report("cells", 4, 4);
            return 0;
        });
        string text = writer.ToString();
        Assert.That(text, Does.Contain("\u001b[").And.Contain("MISMATCH cpu op/ADD/float32/base: output 0"));
    }

    [Test]
    public void QuantizeReportsItsPhasesAsPlainLinesWhenNotOnATerminal()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var r = CliHarness.Run("quantize", model, "-o", dir.File("fp16.tflite"), "--mode", "fp16");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.StderrLines, Does.Contain("quantize: latency").And.Contain("quantize: latency 1/1"));
        Assert.That(r.Stderr.IndexOfAny(['\r', '\u001b']), Is.EqualTo(-1), "no carriage returns or escape sequences");
    }
}
