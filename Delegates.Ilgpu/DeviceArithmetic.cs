using System.Runtime.CompilerServices;
using Accel.Numerics;
using ILGPU.Runtime.Cuda;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// The float operations whose exact instruction a kernel must choose per accelerator, passed to kernels as a type
/// argument (a struct, so each backend compiles only its own branch; ILGPU does not fold a run-time
/// <c>CudaAsm.IsSupported</c> test). ILGPU 1.5.3 lowers MathF.FusedMultiplyAdd to an unresolved
/// <c>.extern .func FusedMultiplyAdd</c> in PTX, cannot compile MathF.Round(x, MidpointRounding), and emits plain
/// <c>mul.f32</c>/<c>add.f32</c>, which ptxas may contract into an FMA. Kernels use <see cref="Multiply"/>,
/// <see cref="Add"/> and <see cref="Subtract"/> where a product feeds a sum that the reference rounds twice.
/// </summary>
internal interface IDeviceArithmetic : ISpecArithmetic
{
    /// <summary>a · b rounded to nearest-even, never fused with a later add.</summary>
    float Multiply(float a, float b);

    /// <summary>a + b rounded to nearest-even, never fused with an earlier multiply.</summary>
    float Add(float a, float b);

    /// <summary>a − b rounded to nearest-even, never fused with an earlier multiply.</summary>
    float Subtract(float a, float b);
}

/// <summary>
/// Plain C# operations, for the CPU accelerator (which runs kernels as .NET code, where the JIT never contracts) and
/// OpenCL. Round-to-even is the one-argument MathF.Round, whose default mode is ToEven and which ILGPU compiles.
/// </summary>
internal readonly struct HostArithmetic : IDeviceArithmetic
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float RoundToEven(float x) => MathF.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Subtract(float a, float b) => a - b;
}

/// <summary>Inline PTX with explicit round-to-nearest modifiers (<c>.rn</c> forbids contraction), for CUDA.</summary>
internal readonly struct PtxArithmetic : IDeviceArithmetic
{
    public float FusedMultiplyAdd(float a, float b, float c)
    {
        CudaAsm.Emit("fma.rn.f32 %0, %1, %2, %3;", out float result, a, b, c);
        return result;
    }

    public float RoundToEven(float x)
    {
        CudaAsm.Emit("cvt.rni.f32.f32 %0, %1;", out float result, x);
        return result;
    }

    public float Multiply(float a, float b)
    {
        CudaAsm.Emit("mul.rn.f32 %0, %1, %2;", out float result, a, b);
        return result;
    }

    public float Add(float a, float b)
    {
        CudaAsm.Emit("add.rn.f32 %0, %1, %2;", out float result, a, b);
        return result;
    }

    public float Subtract(float a, float b)
    {
        CudaAsm.Emit("sub.rn.f32 %0, %1, %2;", out float result, a, b);
        return result;
    }
}
