namespace Accel.Operators;

/// <summary>
/// The work of one node, from its final shapes; computed once by its <see cref="OpDefinition"/>. The two arithmetic
/// counts are never mixed: <see cref="Macs"/> are multiply-accumulates of convolutions and matrix products;
/// <see cref="ElementOps"/> are other arithmetic, one per element touched (a pool counts output × window; a
/// reduction counts its input elements). Pure data movement counts neither, only <see cref="BytesMoved"/>.
/// Fused activations are not counted.
/// </summary>
public readonly record struct OpCost(long Macs, long ElementOps, long BytesMoved)
{
    /// <summary>Macs + element ops: the unit of the cost-aware partitioner's time estimates.</summary>
    public long Operations => Macs + ElementOps;
}
