using System.CommandLine;

namespace Accel.Cli;

public static partial class ConformCommand
{
    internal static Command Declare(CliContext context)
    {
        var merge = new CommandSpec("merge", "combines shard reports (JSON) into one report", "REPORT.json", "the shard reports (conform --json)")
            .Option("--json", "FILE", "merged JSON report ('-': standard output; the summary then goes to stderr)")
            .Option("--junit", "FILE", "merged JUnit XML")
            .Option("--html", "FILE", "merged HTML matrix")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Guarded(() => Merge(parsed, context.Stdout, context.Stderr)));
        return new CommandSpec("conform", "the conformance suite: every case x backend bit for bit against the goldens (conformance/README.md)",
                positionalName: null) { Details = Description }
            .Option("--backend", "LIST", "'all' (default) or comma-separated names (see --list)")
            .Option("--cases", "FILTER",
                "GTest-style: POS[:POS...][:-NEG...], '*' and '?' wildcards over case ids such as model/pose_landmark_lite/photo, op/CONV_2D/float32/stride=2")
            .Option("--shard", "I/N", "run shard I of N (round-robin over the filtered cases); without it GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX are honoured")
            .Option("--junit", "FILE", "JUnit XML, one testcase per cell")
            .Option("--json", "FILE", "JSON report (schema: conformance/report-schema.md; '-': standard output, with progress and the summary on stderr)")
            .Option("--html", "FILE", "one self-contained HTML page with the colour-coded matrix")
            .Option("--threads", "N", "threads for delegate backends (default: all logical processors)")
            .Option("--cases-dir", "DIR", "case lists and goldens.json (default: conformance/cases in the repository)")
            .Option("--models-dir", "DIR", "corpus models (default: ${ACCEL_CACHE:-~/.cache/accel}/models)")
            .Option("--export", "DIR", "write each selected case's model.tflite and input_<i>.bin to DIR/<case>/ (to reproduce a case with another runtime) and exit")
            .Switch("--list", "print the cases and backends and exit")
            .Switch("--generate",
                "re-create the goldens with the reference executor, cross-checked with TFLite (conformance/oracle); refuses to change existing " +
                "goldens, printing what moved, unless --update (which also drops stale entries)")
            .Switch("--update", "with --generate: accept changed goldens")
            .Switch("--quiet", "no progress output", "-q")
            .Switch("--verbose", "stack traces on errors", "-v")
            .Subcommand(merge)
            .WithAction(parsed => Guarded(() => Run(parsed, context.Stdout, context.Stderr, context.Environment)));
    }
}
