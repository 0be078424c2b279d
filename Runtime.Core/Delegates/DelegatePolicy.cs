namespace Accel.Delegates;

/// <summary>How partitions are kept or dropped.</summary>
public enum PartitionPolicy
{
    /// <summary>Keep every partition within MaxPartitions / MinNodesPerPartition (TFLite's behaviour).</summary>
    Default,
    /// <summary>Also drop a partition when the delegate's own estimate (compute + boundary transfers) is not below the reference executor's.</summary>
    CostAware,
}

/// <summary>A delegate with its partitioning limits (TFLite's max_delegated_partitions / min_nodes_per_partition).</summary>
public sealed record DelegateSelection(IAccelDelegate Delegate, int MaxPartitions = int.MaxValue, int MinNodesPerPartition = 1);
