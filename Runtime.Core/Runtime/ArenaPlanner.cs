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
        var order = PlacementOrder(requests);
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

    /// <summary>
    /// The requests' indices largest first (then earlier first step, then lower tensor index: a total order for
    /// distinct tensors), by a merge sort of our own: LINQ's OrderBy over int is JIT-compiled at start-up even in a
    /// ReadyToRun build (perf/RESULTS.md, cold start).
    /// </summary>
    private static int[] PlacementOrder(IReadOnlyList<ArenaRequest> requests)
    {
        var all = new ArenaRequest[requests.Count];
        for (int i = 0; i < all.Length; i++) all[i] = requests[i];
        var order = new int[all.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var scratch = new int[order.Length];
        for (int width = 1; width < order.Length; width *= 2)
        {
            for (int start = 0; start < order.Length; start += 2 * width)
            {
                int middle = Math.Min(start + width, order.Length), end = Math.Min(start + 2 * width, order.Length);
                int a = start, b = middle, k = start;
                while (a < middle && b < end) scratch[k++] = PlacedBefore(all[order[b]], all[order[a]]) ? order[b++] : order[a++];
                while (a < middle) scratch[k++] = order[a++];
                while (b < end) scratch[k++] = order[b++];
            }
            (order, scratch) = (scratch, order);
        }
        return order;
    }

    private static bool PlacedBefore(in ArenaRequest x, in ArenaRequest y) =>
        x.Size != y.Size ? x.Size > y.Size : x.FirstStep != y.FirstStep ? x.FirstStep < y.FirstStep : x.TensorIndex < y.TensorIndex;

    public static long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
