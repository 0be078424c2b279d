using System.Globalization;
using Spectre.Console;

namespace Accel.Cli;

/// <summary>
/// One step of long work as the user sees it: a phase (e.g. <c>warm-up</c>) and, when it counts, how far through it.
/// </summary>
internal interface IProgressTask
{
    /// <summary>Enters or advances <paramref name="phase"/>; <paramref name="total"/> 0 means the phase is not counted.</summary>
    void Report(string phase, int done = 0, int total = 0);

    /// <summary>A line that stays (a failure as it happens), printed above the live display on a terminal.</summary>
    void WriteLine(string line);
}

/// <summary>
/// Progress of long work (<c>conform</c>, <c>bench</c>, <c>quantize</c>, <c>prune</c>, <c>convert</c>): a live
/// Spectre.Console bar on an interactive terminal, plain lines (one per phase, no carriage returns or escape codes)
/// when the writer is redirected, not the console, or colour is off (<c>--no-color</c>, <c>NO_COLOR</c>). The choice is
/// made once at the edge by <see cref="For"/>; the work itself runs inside <see cref="Run{T}"/>.
/// </summary>
internal abstract class CliProgress
{
    /// <summary>Runs <paramref name="work"/> with a task to report to; the display is gone when this returns.</summary>
    public abstract T Run<T>(string title, Func<IProgressTask, T> work);

    /// <summary>True when the live display is used (tests and the choice itself).</summary>
    public abstract bool IsInteractive { get; }

    /// <summary>
    /// The live display only for the process's own console writer that is not redirected, with colour allowed; a
    /// redirected stream, a pipe, a file or a test's <see cref="StringWriter"/> gets plain lines.
    /// </summary>
    public static bool ChooseInteractive(bool writerIsConsole, bool redirected, bool noColor) => writerIsConsole && !redirected && !noColor;

    /// <summary>The display for <paramref name="writer"/> (standard output or standard error of this process, or any other writer).</summary>
    public static CliProgress For(TextWriter writer, bool noColor)
    {
        // Standard output already wrapped for the terminal (colour allowed, not redirected) shares its console.
        if (writer is RichConsoleWriter rich) return noColor ? new PlainProgress(writer) : new LiveProgress(rich.Console);
        bool isOut = ReferenceEquals(writer, Console.Out), isError = ReferenceEquals(writer, Console.Error);
        bool redirected = isOut ? Console.IsOutputRedirected : !isError || Console.IsErrorRedirected;
        return ChooseInteractive(isOut || isError, redirected, noColor) ? Interactive(writer) : new PlainProgress(writer);
    }

    /// <summary>The live display drawn on <paramref name="writer"/> with ANSI sequences, whatever it is.</summary>
    public static CliProgress Interactive(TextWriter writer) => new LiveProgress(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
        ColorSystem = ColorSystemSupport.Standard,
    }));

    /// <summary>Plain lines on <paramref name="writer"/>.</summary>
    public static CliProgress Plain(TextWriter writer) => new PlainProgress(writer);

    /// <summary>
    /// Plain lines: <c>TITLE: PHASE</c> when a phase starts and <c>TITLE: PHASE DONE/TOTAL</c> when a counted phase
    /// ends, so a log shows what ran without one line per step.
    /// </summary>
    private sealed class PlainProgress(TextWriter writer) : CliProgress
    {
        public override bool IsInteractive => false;

        public override T Run<T>(string title, Func<IProgressTask, T> work) => work(new Task(writer, title));

        private sealed class Task(TextWriter writer, string title) : IProgressTask
        {
            private string? _phase;
            private bool _ended;

            public void Report(string phase, int done = 0, int total = 0)
            {
                if (phase != _phase)
                {
                    _phase = phase;
                    _ended = false;
                    writer.WriteLine($"{title}: {phase}");
                }
                if (total > 0 && done >= total && !_ended)
                {
                    _ended = true;
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {phase} {done}/{total}"));
                }
            }

            public void WriteLine(string line) => writer.WriteLine(line);
        }
    }

    /// <summary>Spectre.Console's progress: description, bar, percentage and elapsed time, redrawn in place.</summary>
    private sealed class LiveProgress(IAnsiConsole console) : CliProgress
    {
        public override bool IsInteractive => true;

        public override T Run<T>(string title, Func<IProgressTask, T> work) =>
            console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                    task.IsIndeterminate = true;
                    var result = work(new Task(console, title, task));
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return result;
                });

        private sealed class Task(IAnsiConsole console, string title, ProgressTask task) : IProgressTask
        {
            public void Report(string phase, int done = 0, int total = 0)
            {
                task.Description = Markup.Escape(total > 0 ? $"{title}: {phase} {done}/{total}" : $"{title}: {phase}");
                task.IsIndeterminate = total <= 0;
                task.MaxValue = total > 0 ? total : 1;
                task.Value = total > 0 ? Math.Min(done, total) : 0;
            }

            // Written through the same console: the live display redraws itself below the line.
            public void WriteLine(string line) => console.WriteLine(line);
        }
    }
}
