using Accel.Perf;
using Accel.Perf.Peers;

namespace Accel.Perf.Tests;

/// <summary>The perf programs' command lines (System.CommandLine, as the accel tool's): what each asks for, and usage errors.</summary>
public sealed class PerfCommandLineTests
{
    private static (int Code, PerfInvocation? Invocation, string Stderr) Suite(params string[] args)
    {
        PerfInvocation? seen = null;
        var stderr = new StringWriter();
        int code = PerfCommandLine.Invoke(args, i => { seen = i; return 0; }, new StringWriter(), stderr);
        return (code, seen, stderr.ToString());
    }

    private static (int Code, Options? Options, string Stderr) Peers(params string[] args)
    {
        Options? seen = null;
        var stderr = new StringWriter();
        int code = PeersCommandLine.Invoke(args, o => { seen = o; return 0; }, new StringWriter(), stderr);
        return (code, seen, stderr.ToString());
    }

    [Test]
    public void SuiteOptionsAreTakenAndEveryOtherTokenGoesToBenchmarkDotNetInOrder()
    {
        var (code, invocation, _) = Suite("--smoke", "--filter", "*Conv*", "--list", "flat");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(invocation!.Kind, Is.EqualTo("benchmarks"));
        Assert.That(invocation.Smoke, Is.True);
        Assert.That(invocation.OutOfProcess, Is.False);
        Assert.That(invocation.BenchmarkArguments, Is.EqualTo(new[] { "--filter", "*Conv*", "--list", "flat" }));
    }

    [Test]
    public void SuiteCommandsTakeTheirArguments()
    {
        Assert.That(Suite("int8-ab").Invocation!.Rounds, Is.EqualTo(15), "the default");
        Assert.That(Suite("int8-ab", "4").Invocation!.Rounds, Is.EqualTo(4));
        Assert.That(Suite("allocations", "hand_landmark_lite", "pose_landmark_lite").Invocation!.Models, Is.EqualTo(new[] { "hand_landmark_lite", "pose_landmark_lite" }));
        Assert.That(Suite("facts").Invocation!.Kind, Is.EqualTo("facts"));
    }

    [Test]
    public void NetAbTakesSeveralThreadCountsAndRefusesZero()
    {
        Assert.That(Suite("net-ab", "a.tflite").Invocation!.Threads, Is.EqualTo(new[] { 1 }), "the default");
        var (code, invocation, _) = Suite("net-ab", "a.tflite", "b.tflite", "--threads", "1", "2", "--rounds", "4");
        Assert.That(code, Is.EqualTo(0));
        Assert.That((invocation!.Models, invocation.Threads, invocation.Rounds), Is.EqualTo((new[] { "a.tflite", "b.tflite" }, new[] { 1, 2 }, 4)));
        var (refused, nothing, stderr) = Suite("net-ab", "a.tflite", "--threads", "0");
        Assert.That((refused, nothing), Is.EqualTo((2, (PerfInvocation?)null)));
        Assert.That(stderr, Does.Contain("--threads expects integers >= 1"));
    }

    [Test]
    public void SuiteUsageErrorsExitTwoWithOneLine()
    {
        var (code, invocation, stderr) = Suite("int8-ab", "zero");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(invocation, Is.Null, "nothing ran");
        Assert.That(stderr, Does.StartWith("Accel.Perf: error:"));
    }

    [Test]
    public void PeersOptionsParseWithTheirDefaults()
    {
        var (code, o, _) = Peers("litert");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(o, Is.EqualTo(o! with { Command = "litert", Rounds = null, Warmup = 35, MaxSeconds = 120 }));
        Assert.That(o.Models, Is.EqualTo(Options.AllModels));
        Assert.That(o.Builds, Is.EqualTo(Options.AllBuilds));
        Assert.That(o.Threads, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void PeersListsAndValuesAreRead()
    {
        var (code, o, _) = Peers("litert", "--rounds", "5", "--models", "hand_landmark_lite,pose_landmark_lite", "--builds", "relaxed",
            "--threads", "2", "--with-reference", "--json", "out.json", "--no-history");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(o!.Rounds, Is.EqualTo(5));
        Assert.That(o.Models, Is.EqualTo(new[] { "hand_landmark_lite", "pose_landmark_lite" }));
        Assert.That(o.Builds, Is.EqualTo(new[] { "relaxed" }));
        Assert.That(o.Threads, Is.EqualTo(new[] { 2 }));
        Assert.That((o.WithReference, o.Json, o.NoHistory), Is.EqualTo((true, "out.json", true)));
    }

    [Test]
    public void PeersColdDefaultsToTheIssuesTwoModelsAndSixtyLaterInvokes()
    {
        var (code, o, _) = Peers("cold");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(o!.Command, Is.EqualTo("cold"));
        Assert.That(o.Models, Is.EqualTo(new[] { "face_detection_short_range", "pose_landmark_heavy" }));
        Assert.That((o.Rounds, o.Later), Is.EqualTo(((int?)null, 60)));
        var (_, named, _) = Peers("cold", "--models", "selfie_segmentation", "--rounds", "12", "--later", "100");
        Assert.That((named!.Models, named.Rounds, named.Later), Is.EqualTo((new[] { "selfie_segmentation" }, (int?)12, 100)));
    }

    [Test]
    public void PeersConvertedDefaultsToEveryOnnxModelAndTakesNamedOnes()
    {
        var (code, o, _) = Peers("converted");
        Assert.That(code, Is.EqualTo(0));
        Assert.That((o!.Command, o.Models), Is.EqualTo(("converted", Array.Empty<string>())), "no names: the program lists the onnx folder");
        var (_, all, _) = Peers("converted", "--models", "all");
        Assert.That(all!.Models, Is.Empty);
        var (_, named, _) = Peers("converted", "--models", "mlsd_320x320_tiny,face_detection_front_128x128_barracuda", "--rounds", "9");
        Assert.That((named!.Models, named.Rounds), Is.EqualTo((new[] { "mlsd_320x320_tiny", "face_detection_front_128x128_barracuda" }, (int?)9)));
    }

    [Test]
    public void PeersQdqDefaultsToTheBlazeFaceConversionsAtOneAndTwoThreads()
    {
        var (code, o, _) = Peers("qdq");
        Assert.That(code, Is.EqualTo(0));
        Assert.That((o!.Command, o.Models, o.Threads), Is.EqualTo(("qdq", Array.Empty<string>(), new[] { 1, 2 })), "no names: QdqPeers.DefaultModels");
        Assert.That(QdqPeers.DefaultModels, Is.EqualTo(new[] { "face_detection_front_128x128_barracuda", "face_detection_back_256x256_barracuda" }));
        var (_, named, _) = Peers("qdq", "--models", "mlsd_320x320_tiny", "--threads", "1", "--clock", "thread");
        Assert.That((named!.Models, named.Threads, named.ThreadCpu), Is.EqualTo((new[] { "mlsd_320x320_tiny" }, new[] { 1 }, true)));
    }

    [Test]
    public void PeersClockIsTheWallUnlessThreadIsAsked()
    {
        Assert.That(Peers("ort").Options!.ThreadCpu, Is.False);
        Assert.That(Peers("ort", "--clock", "thread").Options!.ThreadCpu, Is.True);
        Assert.That(Peers("converted", "--clock", "wall").Options!.ThreadCpu, Is.False);
    }

    [TestCase(new[] { "cold", "--later", "1" }, "--later expects an integer >= 2")]
    [TestCase(new[] { "ort", "--rounds", "0" }, "--rounds expects an integer >= 1")]
    [TestCase(new[] { "litert", "--builds", "compat,bogus" }, "unknown LiteRT.js build 'bogus'")]
    [TestCase(new[] { "litert", "--threads", "1,x" }, "--threads expects positive integers")]
    [TestCase(new[] { "ort", "--rounds", "x" }, "peers: error:")]
    [TestCase(new[] { "ort", "--max-secs", "-1" }, "--max-secs expects a positive number")]
    [TestCase(new[] { "ort", "--clock", "process" }, "--clock expects wall or thread, got 'process'")]
    [TestCase(new[] { "bogus" }, "peers: error:")]
    [TestCase(new string[0], "a command is required")]
    public void PeersUsageErrorsExitTwoNamingTheProblem(string[] args, string message)
    {
        var (code, o, stderr) = Peers(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(o, Is.Null);
        Assert.That(stderr, Does.Contain(message));
    }
}
