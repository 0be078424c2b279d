namespace Accel.Delegates;

/// <summary>A node reduced to what partitioning needs: the tensors it reads and writes.</summary>
public readonly record struct GraphNode(int Index, int[] Inputs, int[] Outputs);

/// <summary>A run of nodes executed by one executor (0 = reference, k ≥ 1 = the k-th delegate).</summary>
public sealed record Partition(int Executor, int[] Nodes);

/// <summary>
/// Splits a graph into maximal single-executor partitions whose partition graph is acyclic, with TFLite's epoch
/// scheme: a partition keeps absorbing nodes of its executor whose inputs are all ready; when none is left, the
/// next partition starts with the executor of the earliest ready node. Deterministic for a given graph and assignment.
/// </summary>
public static class Partitioner
{
    /// <param name="nodes">Nodes in a valid execution order.</param>
    /// <param name="assignment">Executor per node, indexed like <paramref name="nodes"/>.</param>
    /// <param name="tensorCount">Number of tensors in the graph.</param>
    /// <param name="initiallyAvailable">Tensors ready before any node runs (graph inputs, constants).</param>
    public static IReadOnlyList<Partition> Partition(IReadOnlyList<GraphNode> nodes, IReadOnlyList<int> assignment,
        int tensorCount, IEnumerable<int> initiallyAvailable)
    {
        var nodeArray = new GraphNode[nodes.Count];
        for (int i = 0; i < nodeArray.Length; i++) nodeArray[i] = nodes[i];
        var assignmentArray = new int[assignment.Count];
        for (int i = 0; i < assignmentArray.Length; i++) assignmentArray[i] = assignment[i];
        return Partition(nodeArray, assignmentArray, tensorCount, new List<int>(initiallyAvailable).ToArray());
    }

    /// <summary>
    /// <see cref="Partition(IReadOnlyList{GraphNode}, IReadOnlyList{int}, int, IEnumerable{int})"/> on arrays: the
    /// interpreter's planning calls this one, since interface calls on arrays of its value types are JIT-compiled at
    /// start-up even in a ReadyToRun build (perf/RESULTS.md, cold start).
    /// </summary>
    internal static List<Partition> Partition(GraphNode[] nodes, int[] assignment, int tensorCount, int[] initiallyAvailable)
    {
        var available = new bool[tensorCount];
        foreach (int t in initiallyAvailable) available[t] = true;
        // A tensor no node in the list writes is available from the start (constants, inputs, folded constants).
        var written = new bool[tensorCount];
        foreach (var n in nodes)
            foreach (int o in n.Outputs) written[o] = true;
        for (int t = 0; t < tensorCount; t++)
            if (!written[t]) available[t] = true;

        var done = new bool[nodes.Length];
        int remaining = nodes.Length;
        var result = new List<Partition>();
        while (remaining > 0)
        {
            int first = -1;
            for (int i = 0; i < nodes.Length && first < 0; i++)
                if (!done[i] && IsReady(nodes[i], available)) first = i;
            if (first < 0) throw new InvalidOperationException("graph has a cycle or reads a tensor nothing writes");

            int executor = assignment[first];
            var members = new List<int>();
            bool grew = true;
            while (grew)
            {
                grew = false;
                for (int i = first; i < nodes.Length; i++)
                {
                    if (done[i] || assignment[i] != executor || !IsReady(nodes[i], available)) continue;
                    done[i] = true;
                    remaining--;
                    members.Add(nodes[i].Index);
                    foreach (int o in nodes[i].Outputs) available[o] = true;
                    grew = true;
                }
            }
            members.Sort();
            result.Add(new Partition(executor, members.ToArray()));
        }
        return result;
    }

    private static bool IsReady(GraphNode node, bool[] available)
    {
        foreach (int i in node.Inputs)
            if (i >= 0 && !available[i]) return false;
        return true;
    }
}
