using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// LESS, float32, int32 and int64 → bool (docs/numerics.md §Comparisons): a &lt; b: false whenever an operand is NaN.
/// </summary>
[OpCodes(BuiltinOperator.Less)]
internal sealed class LessKernel : ComparisonKernel<LessFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.Less;
}

/// <summary>TFLite's <c>reference_ops::LessFn</c> (kernels/internal/reference/comparisons.h): <c>a &lt; b</c>.</summary>
internal readonly struct LessFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a < b;
}
