using System.Numerics;

namespace Accel.Kernels.Reference;

/// <summary>
/// EQUAL, float32, int32, int64 and bool → bool (docs/numerics.md §Comparisons): a == b: NaN equals nothing (NaN == NaN
/// is false), −0 == +0 is true.
/// </summary>
[OpCodes(BuiltinOperator.Equal)]
internal sealed class EqualKernel : ComparisonKernel<EqualFn>
{
    protected override BuiltinOperator Op => BuiltinOperator.Equal;
}

/// <summary>TFLite's <c>reference_ops::EqualFn</c> (kernels/internal/reference/comparisons.h): <c>a == b</c>.</summary>
internal readonly struct EqualFn : IComparisonFn
{
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a == b;
}
