namespace Accel.Cli.Tests;

/// <summary>
/// scripts/arm64-check.sh: the conformance suite on a linux-arm64 build under qemu-aarch64 (the test command runs the
/// real one). Here a fake emulator runs a fake published accel, so what the script makes of each outcome is checked
/// without publishing (and without the examples, which need the real builds): every shard bit-exact passes, a
/// mismatch or a shard cut off by the deadline fails it, and a missing emulator is named with what installs it.
/// </summary>
public sealed class Arm64CheckScriptTests
{
    [Test]
    public void WithoutTheEmulatorTheCheckNamesWhatInstallsItAndExitsTwo()
    {
        using var scratch = new Scratch();
        scratch.Environment["ARM64_CHECK_QEMU"] = "qemu-aarch64-that-is-not-installed";
        var (exitCode, output) = scratch.RunScript();
        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("qemu-aarch64-that-is-not-installed not found; scripts/ensure-packages.sh installs it"));
    }

    [Test]
    public void EveryShardBitExactPassesAndTheShardReportsAreMerged()
    {
        using var scratch = new Scratch();
        var (exitCode, output) = scratch.RunScript("--cpu", "cortex-a53", "--conformance-only");
        Assert.That(exitCode, Is.Zero, output);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("PASS: every case bit-exact on linux-arm64 (qemu CPU 'cortex-a53'); reports in"),
                "no word of the examples, which --conformance-only leaves out");
            Assert.That(scratch.Summary(), Does.Contain("(fake, linux-arm64) under qemu-aarch64 -cpu cortex-a53"));
            Assert.That(scratch.Summary(), Does.Contain("merged shard-0.json shard-1.json"));
            // Each shard is its own emulated process on one thread, on the CPU model asked for.
            Assert.That(scratch.Calls(), Does.Contain("-cpu cortex-a53 conform --backend reference,cpu --threads 1 --shard 0/2"));
            Assert.That(scratch.Calls(), Does.Contain("-cpu cortex-a53 conform --backend reference,cpu --threads 1 --shard 1/2"));
        });
    }

    [Test]
    public void AShardWithAMismatchFailsTheCheckAndTheReportsAreStillMerged()
    {
        using var scratch = new Scratch();
        scratch.Environment["FAKE_SHARD_1"] = "mismatch";
        var (exitCode, output) = scratch.RunScript("--conformance-only");
        Assert.That(exitCode, Is.EqualTo(1), output);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("shard 1/2: exit 1"));
            Assert.That(output, Does.Contain("op/ADD/float32/a=2x3 cpu MISMATCH"), "the failing shard's log tail");
            Assert.That(output, Does.Contain("FAIL: see"));
            Assert.That(scratch.Summary(), Does.Contain("merged shard-0.json shard-1.json"));
        });
    }

    [Test]
    public void AShardThatDoesNotFinishInTimeIsCutOffAndFailsTheCheck()
    {
        using var scratch = new Scratch();
        scratch.Environment["FAKE_SHARD_0"] = "hang";
        scratch.Environment["ARM64_CHECK_TIMEOUT_S"] = "2";
        var (exitCode, output) = scratch.RunScript("--conformance-only");
        Assert.That(exitCode, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("shard 0/2: cut off after 2 s"));
        Assert.That(output, Does.Contain("FAIL: see"));
    }

    private sealed class Scratch : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("accel-arm64-check-").FullName;
        public Dictionary<string, string> Environment { get; } = new();

        public Scratch()
        {
            Directory.CreateDirectory(Path.Combine(_root, "bin"));
            Directory.CreateDirectory(Path.Combine(_root, "published"));
            Directory.CreateDirectory(Path.Combine(_root, "cache", "models"));
            // The emulator drops its -cpu MODEL and runs the program; the accel logs each call and answers as the real
            // one would: a version line, a JSON report per shard (and the exit status FAKE_SHARD_<i> asks for), a merge.
            Executable("bin/qemu-fake", """
                #!/bin/sh
                [ "$1" = "--version" ] && { echo "qemu-aarch64 version 0 (fake)"; exit 0; }
                cpu="$2"; shift 2
                program="$1"; shift
                exec "$program" "-cpu $cpu" "$@"
                """);
            Executable("published/accel", """
                #!/bin/bash
                cpu="$1"; shift
                echo "$cpu $*" >> "$(dirname "$0")/calls.log"
                [ "$1" = "--version" ] && { echo "accel 0.0.0 (fake, linux-arm64)"; exit 0; }
                if [ "$2" = "merge" ]; then
                  shift 2; names=""
                  while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do names="$names $(basename "$1")"; shift; done
                  echo "merged$names"; exit 0
                fi
                shard=""; json=""
                while [ $# -gt 0 ]; do case "$1" in --shard) shard="$2"; shift;; --json) json="$2"; shift;; esac; shift; done
                echo '{}' > "$json"
                behaviour="$(printenv "FAKE_SHARD_${shard%/*}")"
                case "$behaviour" in
                  mismatch) echo "op/ADD/float32/a=2x3 cpu MISMATCH"; exit 1;;
                  hang) sleep 60;;
                esac
                exit 0
                """);
            Environment["ARM64_CHECK_QEMU"] = Path.Combine(_root, "bin", "qemu-fake");
            Environment["ARM64_CHECK_PUBLISHED"] = Path.Combine(_root, "published");
            Environment["ARM64_CHECK_SHARDS"] = "2";
            Environment["ACCEL_CACHE"] = Path.Combine(_root, "cache");
        }

        private string Output => Path.Combine(_root, "out");

        public string Summary() => File.ReadAllText(Path.Combine(Output, "summary.txt"));

        public string Calls() => File.ReadAllText(Path.Combine(_root, "published", "calls.log"));

        private void Executable(string relativePath, string text) => RepositoryScript.WriteExecutable(Path.Combine(_root, relativePath), text);

        public (int ExitCode, string Output) RunScript(params string[] arguments) =>
            RepositoryScript.Run("arm64-check.sh", new Dictionary<string, string>(Environment) { ["OUT"] = Output }, arguments);

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
