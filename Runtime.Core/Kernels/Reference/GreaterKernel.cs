using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// GREATER, float32, int32 and int64 → bool (docs/numerics.md §Comparisons): a &gt; b (TFLite's comparisons.cc
/// evaluates LessFn with the operands swapped: the same IEEE predicate): false whenever an operand is NaN.
/// </summary>
[OpCodes(BuiltinOperator.Greater)]
internal sealed class GreaterKernel : ComparisonKernel<GreaterFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.Greater;
}

/// <summary>TFLite's <c>reference_ops::GreaterFn</c> (kernels/internal/reference/comparisons.h): <c>a &gt; b</c>.</summary>
internal readonly struct GreaterFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b;
}
