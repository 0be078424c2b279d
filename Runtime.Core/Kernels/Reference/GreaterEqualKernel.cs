using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// GREATER_EQUAL, float32, int32 and int64 → bool (docs/numerics.md §Comparisons): a &gt;= b (TFLite evaluates
/// LessEqualFn with the operands swapped): false whenever an operand is NaN.
/// </summary>
[OpCodes(BuiltinOperator.GreaterEqual)]
internal sealed class GreaterEqualKernel : ComparisonKernel<GreaterEqualFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.GreaterEqual;
}

/// <summary>TFLite's <c>reference_ops::GreaterEqualFn</c> (kernels/internal/reference/comparisons.h): <c>a &gt;= b</c>.</summary>
internal readonly struct GreaterEqualFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a >= b;
}
