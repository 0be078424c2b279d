using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// MINIMUM, float32, int32 and int64 (docs/numerics.md §MAXIMUM, MINIMUM). Mirrors TFLite's maximum_minimum.cc
/// <c>MinimumOp</c> with NumPy broadcasting of any rank: <c>out = a &lt; b ? a : b</c> — the second operand wins
/// unless the first is strictly less, so min(NaN, 1) = 1, min(1, NaN) = NaN, min(−0, +0) = +0, min(+0, −0) = −0.
/// </summary>
[OpCodes(BuiltinOperator.Minimum)]
internal sealed class MinimumKernel : OrderedSelectionKernel<MinimumKernel.Selection>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Minimum];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Minimum).Types;

    internal readonly struct Selection : IOrderedSelection
    {
        public bool TakesFirst<T>(T a, T b) where T : unmanaged, IComparisonOperators<T, T, bool> => a < b;
    }
}
