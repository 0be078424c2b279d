namespace Accel;

/// <summary>One tensor's request to the planner: its size and the span of execution steps during which it is live.</summary>
internal readonly record struct ArenaRequest(int TensorIndex, long Size, int FirstStep, int LastStep);

/// <summary>
/// Plans all activations into one arena from tensor lifetimes, as TFLite's ArenaPlanner with the greedy-by-size
/// strategy does: tensors are placed largest first, each at the lowest aligned offset that does not overlap a
/// placed tensor whose lifetime intersects its own. Deterministic for a given request list.
/// </summary>
internal static class ArenaPlanner
{
    public const int Alignment = 64;

    public static long Plan(IReadOnlyList<ArenaRequest> requests, long[] offsets)
    {
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Size)
            .ThenBy(i => requests[i].FirstStep)
            .ThenBy(i => requests[i].TensorIndex)
            .ToArray();
        var placed = new List<int>(requests.Count);
        long arenaSize = 0;
        var overlapping = new List<(long Start, long End)>();
        foreach (int r in order)
        {
            var request = requests[r];
            overlapping.Clear();
            foreach (int p in placed)
            {
                var other = requests[p];
                if (other.FirstStep <= request.LastStep && request.FirstStep <= other.LastStep)
                    overlapping.Add((offsets[p], offsets[p] + other.Size));
            }
            overlapping.Sort((a, b) => a.Start.CompareTo(b.Start));
            long candidate = 0;
            foreach (var (start, end) in overlapping)
            {
                if (candidate + request.Size <= start) break;
                candidate = Math.Max(candidate, AlignUp(end));
            }
            offsets[r] = candidate;
            arenaSize = Math.Max(arenaSize, candidate + request.Size);
            placed.Add(r);
        }
        return AlignUp(arenaSize);
    }

    public static long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
