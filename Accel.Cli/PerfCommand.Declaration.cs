using System.CommandLine;

namespace Accel.Cli;

public static partial class PerfCommand
{
    internal static Command Declare(CliContext context)
    {
        var report = new CommandSpec("report",
                "reads results (history .jsonl files, 'accel bench --json' files, or directories of them) and writes a self-contained HTML " +
                "dashboard: a latency-over-commits plot per machine x model x runtime/backend x threads (inline SVG), the peers' ratios from " +
                "interleaved sessions, and a table of regressions between consecutive results",
                "HISTORY", "history files, bench results or directories of them")
            .Option("--html", "FILE", "the dashboard to write")
            .Option("--github-json", "FILE", "also write github-action-benchmark 'customSmallerIsBetter' JSON (the latest median of every series)")
            .Option("--title", "TEXT", "the page title (default: Accel performance)")
            .Option("--alpha", "A", "one-sided Mann-Whitney U significance for the regression table (default 0.01)")
            .Option("--min-effect", "F", "smallest median slow-down that counts (default 0.05 = 5%)")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Report(parsed, context.Stdout));
        var compare = new CommandSpec("compare",
                "matches series (model, runtime, backend, threads; the latest result of each when a file holds several) and flags a REGRESSION " +
                "when the current samples are larger with one-sided Mann-Whitney U p < A AND the median is slower by at least F. Series with " +
                "fewer than N samples on a side are 'too few samples', never a regression. Exit codes: 0 no regression, 3 regression, " +
                "1 unreadable input, 2 usage error",
                "BASELINE CURRENT", "the baseline and current results")
            .Option("--alpha", "A", "significance (default 0.01)")
            .Option("--min-effect", "F", "smallest median slow-down that counts (default 0.05 = 5%)")
            .Option("--min-samples", "N", "fewest samples per side (default 5)")
            .Option("--github-json", "FILE", "also write the current results as github-action-benchmark JSON")
            .Switch("--json", "print the comparison as JSON (accel-perf-compare/1: docs/cli.md) instead of the table; the exit code is the same")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Compare(parsed, context.Stdout));
        var perf = new Command("perf", "dashboard (latency over commits, peer ratios, regressions) and a statistical regression gate (exit 3 on a regression)")
        {
            report, compare,
        };
        perf.SetAction((Func<ParseResult, int>)(_ => throw new UsageException("'perf' needs a subcommand: report or compare", "perf")));
        return perf;
    }
}
