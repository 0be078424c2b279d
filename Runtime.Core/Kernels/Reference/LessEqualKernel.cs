using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// LESS_EQUAL, float32, int32 and int64 → bool (docs/numerics.md §Comparisons): a &lt;= b: false whenever an operand is
/// NaN.
/// </summary>
[OpCodes(BuiltinOperator.LessEqual)]
internal sealed class LessEqualKernel : ComparisonKernel<LessEqualFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.LessEqual;
}

/// <summary>TFLite's <c>reference_ops::LessEqualFn</c> (kernels/internal/reference/comparisons.h): <c>a &lt;= b</c>.</summary>
internal readonly struct LessEqualFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a <= b;
}
