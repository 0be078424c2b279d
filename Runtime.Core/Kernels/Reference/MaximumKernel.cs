using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// MAXIMUM, float32, int32 and int64 (docs/numerics.md §MAXIMUM, MINIMUM). Mirrors TFLite's maximum_minimum.cc
/// <c>MaximumOp</c> with NumPy broadcasting of any rank: <c>out = a &gt; b ? a : b</c> — the second operand wins
/// unless the first is strictly greater, so max(NaN, 1) = 1, max(1, NaN) = NaN, max(−0, +0) = +0, max(+0, −0) = −0.
/// </summary>
[OpCodes(BuiltinOperator.Maximum)]
internal sealed class MaximumKernel : OrderedSelectionKernel<MaximumKernel.Selection>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Maximum).Types;

    internal readonly struct Selection : IOrderedSelection
    {
        public bool TakesFirst<T>(T a, T b) where T : unmanaged, IComparisonOperators<T, T, bool> => a > b;
    }
}
