using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// NOT_EQUAL, float32, int32, int64 and bool → bool (docs/numerics.md §Comparisons): a != b: true whenever an operand
/// is NaN, −0 != +0 is false.
/// </summary>
[OpCodes(BuiltinOperator.NotEqual)]
internal sealed class NotEqualKernel : ComparisonKernel<NotEqualFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.NotEqual;
}

/// <summary>TFLite's <c>reference_ops::NotEqualFn</c> (kernels/internal/reference/comparisons.h): <c>a != b</c>.</summary>
internal readonly struct NotEqualFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b;
}
