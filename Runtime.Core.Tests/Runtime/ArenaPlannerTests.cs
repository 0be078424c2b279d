namespace Accel.Tests.Runtime;

[TestFixture]
public sealed class ArenaPlannerTests
{
    [Test]
    public void TensorsLiveAtTheSameTimeNeverShareBytes()
    {
        var random = new Random(42);
        for (int trial = 0; trial < 200; trial++)
        {
            int count = 1 + random.Next(40);
            var requests = new List<ArenaRequest>();
            for (int i = 0; i < count; i++)
            {
                int first = random.Next(30);
                requests.Add(new ArenaRequest(i, random.Next(0, 5000), first, first + random.Next(10)));
            }
            var offsets = new long[count];
            long size = ArenaPlanner.Plan(requests, offsets);
            for (int a = 0; a < count; a++)
            {
                Assert.That(offsets[a] % ArenaPlanner.Alignment, Is.Zero);
                Assert.That(offsets[a] + requests[a].Size, Is.LessThanOrEqualTo(size));
                for (int c = a + 1; c < count; c++)
                {
                    bool liveTogether = requests[a].FirstStep <= requests[c].LastStep && requests[c].FirstStep <= requests[a].LastStep;
                    bool bytesOverlap = offsets[a] < offsets[c] + requests[c].Size && offsets[c] < offsets[a] + requests[a].Size;
                    if (liveTogether && requests[a].Size > 0 && requests[c].Size > 0)
                        Assert.That(bytesOverlap, Is.False, $"trial {trial}: tensors {a} and {c} overlap");
                }
            }
        }
    }

    /// <summary>
    /// TFLite's greedy-by-size order — largest first, then the earlier first step, then the lower tensor index — with
    /// many ties in size and first step: the planner's own sort places every tensor where this model of it does.
    /// </summary>
    [Test]
    public void TensorsArePlacedLargestFirstThenEarlierFirstStepThenLowerTensorIndex()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 100; trial++)
        {
            int count = 1 + random.Next(60);
            var requests = new List<ArenaRequest>();
            for (int i = 0; i < count; i++)
            {
                int first = random.Next(6);
                requests.Add(new ArenaRequest(count - 1 - i, 64 * (1 + random.Next(3)), first, first + random.Next(4)));
            }
            var offsets = new long[count];
            long size = ArenaPlanner.Plan(requests, offsets);
            var expected = new long[count];
            long expectedSize = GreedyBySize(requests, expected);
            Assert.That(offsets, Is.EqualTo(expected), $"trial {trial}");
            Assert.That(size, Is.EqualTo(expectedSize), $"trial {trial}");
        }
    }

    /// <summary>The greedy-by-size placement written plainly, its order by LINQ.</summary>
    private static long GreedyBySize(List<ArenaRequest> requests, long[] offsets)
    {
        var order = Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].Size)
            .ThenBy(i => requests[i].FirstStep).ThenBy(i => requests[i].TensorIndex).ToArray();
        var placed = new List<int>();
        long size = 0;
        foreach (int r in order)
        {
            var request = requests[r];
            var overlapping = placed.Where(p => requests[p].FirstStep <= request.LastStep && request.FirstStep <= requests[p].LastStep)
                .Select(p => (Start: offsets[p], End: offsets[p] + requests[p].Size)).OrderBy(x => x.Start).ToList();
            long candidate = 0;
            foreach (var (start, end) in overlapping)
            {
                if (candidate + request.Size <= start) break;
                candidate = Math.Max(candidate, ArenaPlanner.AlignUp(end));
            }
            offsets[r] = candidate;
            size = Math.Max(size, candidate + request.Size);
            placed.Add(r);
        }
        return ArenaPlanner.AlignUp(size);
    }

    [Test]
    public void TensorsWithDisjointLifetimesReuseMemory()
    {
        // A chain a→b→c→d: each tensor dies after the next is made, so two buffers suffice.
        var requests = new List<ArenaRequest>
        {
            new(0, 1024, 0, 1), new(1, 1024, 1, 2), new(2, 1024, 2, 3), new(3, 1024, 3, 4),
        };
        var offsets = new long[4];
        Assert.That(ArenaPlanner.Plan(requests, offsets), Is.EqualTo(2048));
    }
}
