using System.Text.Json;
using Accel.Perf.Reporting;

namespace Accel.Perf.Tests;

public sealed class HistoryTests
{
    private static BenchRecord FullRecord() => Samples.Record("face_detection_short_range", "cpu", [1.25, 1.5, 1.125, 1.75], "abc123", Samples.Day(3)) with
    {
        ModelFile = "face_detection_short_range.tflite",
        ModelSha256 = "00ff",
        Dirty = true,
        Tool = "accel test",
        Init = new InitTiming(1.5, 20.25, 21.75),
        FirstInferenceMs = 9.5,
        Warmup = new WarmupInfo(3, 1.4),
        Memory = new MemoryInfo(1 << 20, 5_000_000, 60_000_000, 0),
        Profile = [new ProfileEntry("CONV_2D", "cpu", [2], 0.2, 50, 50, 7_000_000, 70)],
        Notes = ["machine busy"],
    };

    [Test]
    public void AppendedRecordsReadBackEqualFieldByField()
    {
        using var dir = new TempDirectory();
        var first = FullRecord();
        var second = Samples.Record("pose_landmark_heavy", "reference", [100, 101], "def456", Samples.Day(4), threads: 2);
        string file = BenchHistory.Append([first], dir.Path);
        string again = BenchHistory.Append([second], dir.Path);
        Assert.That(again, Is.EqualTo(file), "one file per machine");
        Assert.That(Path.GetFileName(file), Is.EqualTo("0123456789ab.jsonl"));

        var read = BenchHistory.Read([file]);
        Assert.That(read, Has.Count.EqualTo(2));
        var r = read[0];
        Assert.Multiple(() =>
        {
            Assert.That(r.Schema, Is.EqualTo("accel-bench/1"));
            Assert.That(r.Key, Is.EqualTo(first.Key));
            Assert.That(r.SamplesMs, Is.EqualTo(first.SamplesMs));
            Assert.That(r.Latency, Is.EqualTo(first.Latency));
            Assert.That(r.Commit, Is.EqualTo("abc123"));
            Assert.That(r.Dirty, Is.True);
            Assert.That(r.Date, Is.EqualTo(first.Date));
            Assert.That(r.Machine, Is.EqualTo(first.Machine));
            Assert.That(r.Init, Is.EqualTo(first.Init));
            Assert.That(r.Memory, Is.EqualTo(first.Memory));
            Assert.That(r.Profile![0].Nodes, Is.EqualTo(new[] { 2 }));
            Assert.That(r.Profile[0].GflopsPerSecond, Is.EqualTo(70));
            Assert.That(r.Notes, Is.EqualTo(first.Notes));
            Assert.That(read[1].Threads, Is.EqualTo(2));
        });
    }

    [Test]
    public void HistoryIsOneCompactJsonObjectPerLine()
    {
        using var dir = new TempDirectory();
        string file = BenchHistory.Append([FullRecord(), FullRecord()], dir.Path);
        var lines = File.ReadAllLines(file);
        Assert.That(lines, Has.Length.EqualTo(2));
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.That(root.GetProperty("schema").GetString(), Is.EqualTo("accel-bench/1"));
            Assert.That(root.GetProperty("commit").GetString(), Is.EqualTo("abc123"));
            Assert.That(root.GetProperty("machine").GetProperty("fingerprint").GetString(), Is.EqualTo("0123456789ab"));
            Assert.That(root.GetProperty("samplesMs").GetArrayLength(), Is.EqualTo(4));
            Assert.That(root.GetProperty("latency").GetProperty("median").GetDouble(), Is.EqualTo(1.375));
        }
    }

    [Test]
    public void AnExplicitJsonlPathIsUsedAsIs()
    {
        using var dir = new TempDirectory();
        string target = dir.File("sub/mine.jsonl");
        Assert.That(BenchHistory.Append([FullRecord()], target), Is.EqualTo(target));
        Assert.That(File.Exists(target));
    }

    [Test]
    public void ReaderTakesASingleIndentedObjectAnArrayOrJsonLines()
    {
        var record = FullRecord();
        string single = record.ToJson(indented: true);
        string array = JsonSerializer.Serialize(new[] { record, record }, BenchJson.Indented);
        string lines = record.ToJson(false) + "\n\n" + record.ToJson(false) + "\n";
        Assert.Multiple(() =>
        {
            Assert.That(BenchJson.ReadAll(single, "single"), Has.Count.EqualTo(1));
            Assert.That(BenchJson.ReadAll(array, "array"), Has.Count.EqualTo(2));
            Assert.That(BenchJson.ReadAll(lines, "lines"), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void ABrokenLineIsReportedWithItsNumber()
    {
        string text = FullRecord().ToJson(false) + "\n{not json\n";
        Assert.That(() => BenchJson.ReadAll(text, "h.jsonl"), Throws.TypeOf<FormatException>().With.Message.Contains("h.jsonl:2"));
    }

    [Test]
    public void DirectoriesAreReadFileByFile()
    {
        using var dir = new TempDirectory();
        BenchHistory.Append([FullRecord()], dir.Path);
        BenchHistory.Append([FullRecord() with { Machine = Samples.Machine("ffffffffffff") }], dir.Path);
        File.WriteAllText(dir.File("single.json"), FullRecord().ToJson());
        Assert.That(BenchHistory.Read([dir.Path]), Has.Count.EqualTo(3));
    }

    [Test]
    public void MachineFingerprintIsStableAndShort()
    {
        var a = BenchEnvironment.DescribeMachine();
        var b = BenchEnvironment.DescribeMachine();
        Assert.That(a.Fingerprint, Is.EqualTo(b.Fingerprint));
        Assert.That(a.Fingerprint, Does.Match("^[0-9a-f]{12}$"));
        Assert.That(a.LogicalCores, Is.EqualTo(Environment.ProcessorCount));
    }

    [Test]
    public void GithubActionBenchmarkJsonHasNameUnitValuePerSeries()
    {
        var records = new[]
        {
            Samples.Record("m", "cpu", [2, 3, 4], "a", Samples.Day(0)),
            Samples.Record("m", "cpu", [1, 2, 3], "b", Samples.Day(1)),   // latest of its series
            Samples.Record("m", "reference", [10, 20, 30], "b", Samples.Day(1)),
        };
        using var doc = JsonDocument.Parse(GithubBenchmarkJson.Write(records));
        var entries = doc.RootElement.EnumerateArray().ToList();
        Assert.That(entries, Has.Count.EqualTo(2));
        var cpu = entries.Single(e => e.GetProperty("name").GetString() == "m [accel cpu, 1 thread]");
        Assert.That(cpu.GetProperty("unit").GetString(), Is.EqualTo("ms"));
        Assert.That(cpu.GetProperty("value").GetDouble(), Is.EqualTo(2));
        Assert.That(cpu.GetProperty("range").GetString(), Does.StartWith("±"));
    }
}
