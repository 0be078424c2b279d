using System.Text.Json.Nodes;

namespace Accel.Optimize.Tests;

/// <summary>The report's latency: thread CPU time per invoke, the minimum of interleaved rounds, and how it was taken.</summary>
public sealed class LatencyReportTests
{
    [Test]
    public void Latency_IsTheFastestOfInterleavedRounds_AndTheReportSaysHowItWasMeasured()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8 }, TestModels.SmallNetworkSamples(2));
        var latency = result.Report.Latency;
        Assert.That(latency, Is.Not.Null);
        // At least 15 rounds, and the last 10 without a new minimum (or the cap).
        Assert.That(latency!.Rounds, Is.InRange(Evaluator.MinLatencyRounds, Evaluator.MaxLatencyRounds));
        Assert.That(latency.Clock, Is.EqualTo(OperatingSystem.IsLinux() ? LatencyMeasurement.ThreadCpuClock : LatencyMeasurement.WallClock));
        Assert.That(latency.OriginalMinMs, Is.GreaterThan(0).And.LessThanOrEqualTo(latency.OriginalMedianMs));
        Assert.That(latency.OptimizedMinMs, Is.GreaterThan(0).And.LessThanOrEqualTo(latency.OptimizedMedianMs));
        Assert.That(result.Report.Original.LatencyMs, Is.EqualTo(latency.OriginalMinMs));
        Assert.That(result.Report.Optimized.LatencyMs, Is.EqualTo(latency.OptimizedMinMs));
        Assert.That(latency.Ratio, Is.EqualTo(latency.OptimizedMinMs / latency.OriginalMinMs));
        if (OperatingSystem.IsLinux()) Assert.That(latency.LoadAverage, Is.GreaterThanOrEqualTo(0));

        // The JSON schema (docs/cli.md accel-optimize/1): a "latency" object beside the per-model latencyMs.
        var json = JsonNode.Parse(result.Report.ToJson())!["latency"]!.AsObject();
        Assert.That(json.Select(p => p.Key), Is.EquivalentTo(new[]
        {
            "clock", "rounds", "originalMinMs", "originalMedianMs", "optimizedMinMs", "optimizedMedianMs", "loadAverage", "ratio",
        }));
        Assert.That(result.Report.ToHtml(), Does.Contain($"min of {latency.Rounds} interleaved rounds"));
    }

    [Test]
    public void WithoutLatency_TheReportHasNoLatencyFigures()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false }, TestModels.SmallNetworkSamples(2));
        Assert.That(result.Report.Latency, Is.Null);
        Assert.That(result.Report.Original.LatencyMs, Is.Null);
        Assert.That(JsonNode.Parse(result.Report.ToJson())!["latency"], Is.Null);
    }

    [Test]
    public void TheClock_DoesNotCountTimeTheThreadWaits()
    {
        Assume.That(ThreadClock.IsThreadCpuTime, "thread CPU time is read on Linux only");
        double start = ThreadClock.NowMs();
        Thread.Sleep(200);
        double slept = ThreadClock.NowMs() - start;
        // 200 ms of waiting (as for a core under load) adds almost no CPU time; the wall clock would add 200.
        Assert.That(slept, Is.LessThan(50));
        double busyStart = ThreadClock.NowMs();
        double x = 0;
        for (int i = 0; i < 20_000_000; i++) x += Math.Sqrt(i);
        Assert.That(x, Is.GreaterThan(0));
        Assert.That(ThreadClock.NowMs() - busyStart, Is.GreaterThan(1), "computing does count");
    }
}
