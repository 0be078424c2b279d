using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The end of a hybrid kernel's block of float lanes: the activation's two clamps as the reference writes them,
/// std::max(x, min) then std::min(x, max) as ternary selects (so −0 and the clamps' order are the reference's), then the
/// block's first <c>count</c> lanes stored (all of them with one vector store when the block is whole).
/// </summary>
internal static unsafe class HybridLanes
{
    /// <summary>The two clamps alone, std::max(x, min) then std::min(x, max), on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> value, Vector512<float> min, Vector512<float> max)
    {
        value = Vector512.ConditionalSelect(Vector512.LessThan(value, min), min, value);
        return Vector512.ConditionalSelect(Vector512.LessThan(max, value), max, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClampStore(Vector512<float> value, Vector512<float> min, Vector512<float> max, float* o, int count, float* tail)
    {
        value = Clamp(value, min, max);
        if (count >= Vector512<float>.Count) value.Store(o);
        else
        {
            value.Store(tail);
            for (int i = 0; i < count; i++) o[i] = tail[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClampStore(Vector256<float> value, Vector256<float> min, Vector256<float> max, float* o, int count, float* tail)
    {
        value = Vector256.ConditionalSelect(Vector256.LessThan(value, min), min, value);
        value = Vector256.ConditionalSelect(Vector256.LessThan(max, value), max, value);
        if (count >= Vector256<float>.Count) value.Store(o);
        else
        {
            value.Store(tail);
            for (int i = 0; i < count; i++) o[i] = tail[i];
        }
    }
}
