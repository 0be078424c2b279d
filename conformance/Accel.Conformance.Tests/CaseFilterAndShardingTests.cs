using Accel.Conformance.Reports;
using Accel.Conformance.Running;

namespace Accel.Conformance.Tests;

public sealed class CaseFilterAndShardingTests
{
    private static readonly string[] Ids =
    [
        "model/pose_landmark_lite/photo", "model/pose_landmark_heavy/photo", "model/selfie_segmentation/noise_mid",
        "op/CONV_2D/float32/base", "op/CONV_2D/float32/stride=2", "op/CONCATENATION/float32/inputs=1x7,axis=-1", "op/ADD/int32/base",
    ];

    [TestCase(null, 7)]
    [TestCase("", 7)]
    [TestCase("op/*", 4)]
    [TestCase("model/*/photo", 2)]
    [TestCase("op/CONV_2D/*:model/pose*", 4)]
    [TestCase("-model/pose_landmark_heavy/*", 6)]
    [TestCase("op/*:-op/*/int32/*", 3)]
    [TestCase("op/CONCATENATION/float32/inputs=1x7,axis=-1", 1)]
    [TestCase("op/CONV_2D/float32/stride=?", 1)]
    [TestCase("nothing", 0)]
    public void GtestStyleFilterSelectsMatchingIds(string? filter, int expected) =>
        Assert.That(Ids.Count(new CaseFilter(filter).Matches), Is.EqualTo(expected));

    [Test]
    public void GlobStarCrossesSlashesAndMustMatchTheWholeId()
    {
        Assert.That(CaseFilter.Glob("op*base", "op/CONV_2D/float32/base"), Is.True);
        Assert.That(CaseFilter.Glob("op/CONV", "op/CONV_2D/float32/base"), Is.False);
        Assert.That(CaseFilter.Glob("*a*b*c", "xxaxbxxc"), Is.True);
        Assert.That(CaseFilter.Glob("*a*b*c", "xxaxbxxcd"), Is.False);
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(10)]
    public void ShardsPartitionTheCasesRoundRobin(int total)
    {
        var all = Enumerable.Range(0, 23).ToArray();
        var seen = new List<int>();
        for (int index = 0; index < total; index++)
        {
            var mine = all.Where(i => Sharding.Owns(new ShardInfo(index, total), i)).ToArray();
            Assert.That(mine, Is.All.Matches<int>(i => i % total == index));
            seen.AddRange(mine);
        }
        Assert.That(seen.Order(), Is.EqualTo(all), "every case in exactly one shard");
    }

    [Test]
    public void ShardingAppliesAfterTheFilter()
    {
        var cases = Ids.Select(id => (Cases.ConformanceCase)new FakeCase(id)).ToArray();
        var shard0 = ConformanceRunner.Select(cases, "op/*", new ShardInfo(0, 2)).Select(c => c.Id).ToArray();
        var shard1 = ConformanceRunner.Select(cases, "op/*", new ShardInfo(1, 2)).Select(c => c.Id).ToArray();
        Assert.That(shard0, Is.EqualTo(new[] { "op/CONV_2D/float32/base", "op/CONCATENATION/float32/inputs=1x7,axis=-1" }));
        Assert.That(shard1, Is.EqualTo(new[] { "op/CONV_2D/float32/stride=2", "op/ADD/int32/base" }));
    }

    [TestCase("0/4", 0, 4)]
    [TestCase("3/4", 3, 4)]
    public void ShardOptionParses(string text, int index, int total) =>
        Assert.That(Sharding.Parse(text), Is.EqualTo(new ShardInfo(index, total)));

    [TestCase("4/4")]
    [TestCase("-1/4")]
    [TestCase("1/0")]
    [TestCase("1")]
    [TestCase("a/b")]
    public void BadShardOptionIsRejected(string text) => Assert.Throws<FormatException>(() => Sharding.Parse(text));

    [Test]
    public void GtestEnvironmentVariablesSelectTheShardAndTouchTheStatusFile()
    {
        using var dir = new TempDirectory();
        string status = dir.File("shard-status");
        var env = new Dictionary<string, string?>
        {
            [Sharding.TotalShardsVariable] = "5",
            [Sharding.ShardIndexVariable] = "2",
            [Sharding.StatusFileVariable] = status,
        };
        Assert.That(Sharding.FromEnvironment(n => env.GetValueOrDefault(n)), Is.EqualTo(new ShardInfo(2, 5)));
        Assert.That(File.Exists(status), Is.True, "GTest protocol: the status file says sharding is supported");
    }

    [Test]
    public void WithoutGtestVariablesThereIsNoShard() =>
        Assert.That(Sharding.FromEnvironment(_ => null), Is.Null);

    [Test]
    public void OneGtestVariableWithoutTheOtherIsAnError() =>
        Assert.Throws<FormatException>(() => Sharding.FromEnvironment(n => n == Sharding.TotalShardsVariable ? "3" : null));

    [Test]
    public void OutOfRangeGtestIndexIsAnError() =>
        Assert.Throws<FormatException>(() => Sharding.FromEnvironment(n => n == Sharding.TotalShardsVariable ? "3" : n == Sharding.ShardIndexVariable ? "3" : null));

    private sealed class FakeCase(string id) : Cases.ConformanceCase(id)
    {
        public override Cases.CaseKind Kind => Cases.CaseKind.Op;
        public override string Summary => Id;
        public override Cases.CaseInstance Materialize(SuiteContext suite) => throw new NotSupportedException();
    }
}
