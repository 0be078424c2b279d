namespace Accel.Cli.Tests;

/// <summary>
/// scripts/device-check.sh (issue 20): without an NVIDIA GPU it says so and exits cleanly; with one, each backend is
/// checked on its own, so a backend that cannot run (or runs on the wrong device) is reported and skipped while the
/// others are measured. The GPU cases use a fake nvidia-smi and a fake accel that answers like the real one.
/// </summary>
public sealed class DeviceCheckScriptTests
{
    [TestCase(false, TestName = "WithoutNvidiaSmiTheCheckSaysThereIsNoGpuAndExitsZero")]
    [TestCase(true, TestName = "WithAnNvidiaSmiThatListsNoDeviceTheCheckSaysThereIsNoGpuAndExitsZero")]
    public void NoGpuIsReportedAndNotAFailure(bool fakeNvidiaSmi)
    {
        using var scratch = new Scratch();
        if (fakeNvidiaSmi)
            scratch.Executable("bin/nvidia-smi", "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9\n");
        var (exitCode, stdout) = scratch.RunScript();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("no NVIDIA GPU"));
        Assert.That(scratch.Summary(), Does.Contain("no NVIDIA GPU"));
    }

    [Test]
    public void AnUnavailableBackendIsReportedWithTheDelegatesReasonAndTheOthersAreStillMeasured()
    {
        using var scratch = new Scratch();
        scratch.FakeGpuMachine(vulkan: "unavailable");
        var (exitCode, stdout) = scratch.RunScript();
        string summary = scratch.Summary();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("vulkan: unavailable: accel: error: 'vulkan' is unavailable on this machine: no Vulkan physical device"));
            Assert.That(summary, Does.Not.Contain("conform-vulkan"));
            Assert.That(summary, Does.Not.Contain("-vulkan:"));
            // The driver ships only libcuda.so.1; the script links libcuda.so for ILGPU, which the fake accel demands.
            Assert.That(summary, Does.Contain("ilgpu: libcuda.so linked to"));
            Assert.That(summary, Does.Contain("ilgpu: device CUDA device 0: NVIDIA H200"));
            Assert.That(summary, Does.Contain("conform-ilgpu: exit 0, tests=\"10\" failures=\"1\" errors=\"0\" skipped=\"2\"; " +
                "20 of 20 shards reported, 0 cut off"));
            Assert.That(summary, Does.Contain("bench-pose_landmark_heavy-cpu: median 1.250 ms, first inference 3.20 ms, init 12.50 ms"));
            Assert.That(summary, Does.Contain("bench-pose_landmark_heavy-ilgpu: median 1.250 ms"));
            Assert.That(summary, Does.Contain("bench-tiny-ilgpu: median 1.250 ms"));
            Assert.That(scratch.Results(), Does.Contain("probe\tvulkan\t-\t2\t-\taccel: error: 'vulkan' is unavailable"));
            Assert.That(File.Exists(Path.Combine(scratch.Output, "device-check.tar.gz")), "the packed logs and reports");
        });
    }

    [Test]
    public void ConformanceShardsCutOffByTheDeadlineAreCountedAndTheFinishedOnesMerged()
    {
        using var scratch = new Scratch();
        scratch.FakeGpuMachine(vulkan: "unavailable");
        scratch.Environment["FAKE_SLOW_OP_CASES"] = "1";
        scratch.Environment["DEVICE_CHECK_CONFORM_S"] = "5";
        var (exitCode, stdout) = scratch.RunScript();
        string summary = scratch.Summary();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.Multiple(() =>
        {
            // The 4 model-case shards finish; the 16 op-case shards are stopped at the deadline or never started.
            Assert.That(summary, Does.Contain("conform-ilgpu: exit 0, tests=\"10\""));
            Assert.That(summary, Does.Contain("4 of 20 shards reported, 16 cut off by the 5 s deadline"));
            Assert.That(summary, Does.Contain("bench-pose_landmark_heavy-ilgpu: median 1.250 ms"), "the latency steps still run");
        });
    }

    [Test]
    public void ThePreparedBuildIsJoinedFromItsPiecesAndReadsTheModelsAndPhotoOfEveryCarryFolder()
    {
        using var scratch = new Scratch();
        scratch.FakeGpuMachine(vulkan: "NVIDIA H200 [DiscreteGpu, Vulkan 1.4.312]");
        // As --prepare leaves it: accel in two pieces (carry-1, carry-2), pose_landmark_heavy and the photo in carry-2,
        // the other models in carry-3; no DEVICE_CHECK_ACCEL or DEVICE_CHECK_MODELS.
        string prepared = scratch.PreparedFolder(FakeAccel, ["carry-2/pose_landmark_heavy.tflite", "carry-3/tiny.tflite"]);
        scratch.Environment.Remove("DEVICE_CHECK_ACCEL");
        scratch.Environment.Remove("DEVICE_CHECK_MODELS");
        scratch.Environment["DEVICE_CHECK_PREPARED"] = prepared;
        scratch.Environment["FAKE_NEEDS_PHOTO"] = "1";
        // Not the developer's own cache: the photo must come from the prepared folder.
        scratch.Environment["ACCEL_CACHE"] = Path.Combine(prepared, "no-cache");
        var (exitCode, stdout) = scratch.RunScript();
        string summary = scratch.Summary();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("vulkan: device Vulkan device 0: NVIDIA H200"), "the joined accel runs");
            Assert.That(summary, Does.Contain("bench-pose_landmark_heavy-vulkan: median 1.250 ms"));
            Assert.That(summary, Does.Contain("bench-tiny-vulkan: median 1.250 ms"));
            // The model-case shards find the photo under $ACCEL_CACHE/images, linked from carry-2.
            Assert.That(summary, Does.Contain("conform-vulkan: exit 0"));
            Assert.That(summary, Does.Contain("20 of 20 shards reported, 0 cut off by the 200 s deadline, 0 exited non-zero"));
        });
    }

    [Test]
    public void AVulkanDeviceThatIsNotTheNvidiaGpuIsSkippedRatherThanMeasuredAsIt()
    {
        using var scratch = new Scratch();
        scratch.FakeGpuMachine(vulkan: "llvmpipe (LLVM 15.0.6, 256 bits) [Cpu, Vulkan 1.3.230]");
        var (exitCode, stdout) = scratch.RunScript();
        string summary = scratch.Summary();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("vulkan: the device is 'Vulkan device 0: llvmpipe"));
            Assert.That(summary, Does.Contain("not the NVIDIA GPU: skipped"));
            Assert.That(summary, Does.Not.Contain("conform-vulkan"));
            Assert.That(summary, Does.Not.Contain("-vulkan:"));
            Assert.That(summary, Does.Contain("conform-ilgpu: exit 0"));
        });
    }

    [Test]
    public void TheNvidiaVulkanDeviceIsCheckedAndMeasuredWithPoseLandmarkHeavyFirstAndOnAllCoresOnTheCpu()
    {
        using var scratch = new Scratch();
        scratch.FakeGpuMachine(vulkan: "NVIDIA H200 [DiscreteGpu, Vulkan 1.4.312]");
        var (exitCode, stdout) = scratch.RunScript();
        string summary = scratch.Summary();
        Assert.That(exitCode, Is.Zero, stdout);
        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("vulkan: device Vulkan device 0: NVIDIA H200"));
            Assert.That(summary, Does.Contain("conform-vulkan: exit 0"));
            Assert.That(summary, Does.Contain("bench-tiny-vulkan: median 1.250 ms"));
            Assert.That(summary.IndexOf("bench-pose_landmark_heavy-cpu:", StringComparison.Ordinal),
                Is.LessThan(summary.IndexOf("bench-tiny-cpu:", StringComparison.Ordinal)), "the goal's model runs first");
            if (Environment.ProcessorCount > 1)
                Assert.That(summary, Does.Match(@"bench-pose_landmark_heavy-cpu-t\d+: median"));
        });
    }

    /// <summary>A temporary folder with a bin/ for fake tools, models, and the script's output folder.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("accel-device-check-").FullName;
        public Dictionary<string, string> Environment { get; } = new();

        public Scratch() => Directory.CreateDirectory(Path.Combine(_root, "bin"));

        public string Output => Path.Combine(_root, "out");

        public string Summary() => File.ReadAllText(Path.Combine(Output, "summary.txt"));

        public string Results() => File.ReadAllText(Path.Combine(Output, "results.tsv"));

        public void Executable(string relativePath, string text) => RepositoryScript.WriteExecutable(Path.Combine(_root, relativePath), text);

        /// <summary>
        /// An NVIDIA GPU per nvidia-smi, a CUDA driver that ships only libcuda.so.1, two models, and a fake accel
        /// whose Vulkan device is <paramref name="vulkan"/> ("unavailable": the delegate's error, as the real CLI
        /// prints it) and whose ILGPU fails unless libcuda.so can be found, as ILGPU does.
        /// </summary>
        public void FakeGpuMachine(string vulkan)
        {
            Executable("bin/nvidia-smi", """
                #!/bin/sh
                case "$1" in -L) echo "GPU 0: NVIDIA H200 (UUID: GPU-0)";; *) echo "name, driver_version"; echo "NVIDIA H200, 580.0";; esac
                """);
            Executable("bin/accel", FakeAccel);
            string lib = Path.Combine(_root, "lib");
            string models = Path.Combine(_root, "models");
            Directory.CreateDirectory(lib);
            Directory.CreateDirectory(models);
            File.WriteAllText(Path.Combine(lib, "libcuda.so.1"), "");
            File.WriteAllText(Path.Combine(models, "tiny.tflite"), "");
            File.WriteAllText(Path.Combine(models, "pose_landmark_heavy.tflite"), "");
            Environment["LD_LIBRARY_PATH"] = lib;
            Environment["DEVICE_CHECK_ACCEL"] = Path.Combine(_root, "bin", "accel");
            Environment["DEVICE_CHECK_MODELS"] = models;
            Environment["FAKE_VULKAN"] = vulkan;
            // An inherited driver list would only change the script's Vulkan driver line.
            Environment["VK_DRIVER_FILES"] = "";
        }

        /// <summary>
        /// A prepared folder as --prepare lays it out: <paramref name="accel"/> split into carry-1/accel.part-aa and
        /// carry-2/accel.part-ab, the photo in carry-2, and an empty file at each of <paramref name="models"/>.
        /// </summary>
        public string PreparedFolder(string accel, string[] models)
        {
            string prepared = Path.Combine(_root, "prepared");
            foreach (string folder in new[] { "carry-1", "carry-2", "carry-3" }) Directory.CreateDirectory(Path.Combine(prepared, folder));
            int half = accel.Length / 2;
            File.WriteAllText(Path.Combine(prepared, "carry-1", "accel.part-aa"), accel[..half]);
            File.WriteAllText(Path.Combine(prepared, "carry-2", "accel.part-ab"), accel[half..]);
            File.WriteAllText(Path.Combine(prepared, "carry-2", "astronaut_512x512_rgb_u8.bin"), "");
            foreach (string model in models) File.WriteAllText(Path.Combine(prepared, model), "");
            return prepared;
        }

        public (int ExitCode, string Stdout) RunScript()
        {
            var environment = new Dictionary<string, string>
            {
                // The fake folder first, then only the system's own: no real nvidia-smi or dotnet tool folder.
                ["PATH"] = $"{Path.Combine(_root, "bin")}:/usr/bin:/bin",
                ["OUT"] = Output,
            };
            foreach (var (name, value) in Environment) environment[name] = value;
            return RepositoryScript.Run("device-check.sh", environment);
        }

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }

    /// <summary>Answers bench and conform as the real CLI does, in the lines the script reads.</summary>
    private const string FakeAccel = """
        #!/bin/bash
        cmd=$1; shift
        backend=reference; json=""; junit=""
        while [[ $# -gt 0 ]]; do case $1 in --delegate|--backend) backend=$2; shift;; --json) json=$2; shift;; --junit) junit=$2; shift;; --cases) cases=$2; shift;; esac; shift; done
        # FAKE_SLOW_OP_CASES: op-case shards outlast any deadline, as a slow device would.
        [[ $cmd == conform && -n ${FAKE_SLOW_OP_CASES:-} && ${cases:-} == op/* ]] && exec sleep 60
        if [[ $backend == vulkan && $FAKE_VULKAN == unavailable ]]; then
          echo "accel: error: 'vulkan' is unavailable on this machine: no Vulkan physical device" >&2; exit 2
        fi
        if [[ $backend == ilgpu ]]; then
          found=""; IFS=: read -r -a dirs <<<"${LD_LIBRARY_PATH:-}"
          for d in "${dirs[@]}"; do [[ -n $d && -e $d/libcuda.so ]] && found=1; done
          [[ -n $found ]] || { echo "accel: error: 'ilgpu' is unavailable on this machine: CUDA: DllNotFoundException" >&2; exit 2; }
        fi
        case $cmd in
          bench)
            case $backend in vulkan) echo "device: Vulkan device 0: $FAKE_VULKAN";; ilgpu) echo "device: CUDA device 0: NVIDIA H200";; esac
            echo "init: 12.50 ms (load + verify 1.00 ms, allocate + delegate compile 11.50 ms)"
            echo "first inference: 3.20 ms (first output 15.70 ms after the load began)"
            [[ -n $json ]] && printf '{\n  "latency": {\n    "count": 30,\n    "median": 1.25\n  }\n}\n' >"$json";;
          conform)
            # FAKE_NEEDS_PHOTO: the model cases fail, as the real ones do, without the photo under $ACCEL_CACHE/images.
            if [[ -n ${FAKE_NEEDS_PHOTO:-} && ${cases:-} == model/* && ! -e ${ACCEL_CACHE:-$HOME/.cache/accel}/images/astronaut_512x512_rgb_u8.bin ]]; then
              echo "ERROR model/x/photo: photo not found"; exit 1
            fi
            # A shard writes its JSON report; merge combines them into the JUnit the script reads.
            [[ -n $json ]] && echo '{}' >"$json"
            [[ -n $junit ]] && printf '<?xml version="1.0"?>\n<testsuites name="accel" tests="10" failures="1" errors="0" skipped="2">\n</testsuites>\n' >"$junit";;
        esac
        exit 0
        """;
}
