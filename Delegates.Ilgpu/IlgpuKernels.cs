using Accel.Kernels.Reference;
using Accel.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// Strides of two operands broadcast to a rank-4 output (shapes right-aligned, missing leading dimensions 1), as the
/// reference's BroadcastPlan computes them: an operand's stride is 0 along a dimension it broadcasts.
/// </summary>
internal readonly struct Broadcast4
{
    public Broadcast4(int d1, int d2, int d3, int a0, int a1, int a2, int a3, int b0, int b1, int b2, int b3)
    {
        D1 = d1; D2 = d2; D3 = d3;
        A0 = a0; A1 = a1; A2 = a2; A3 = a3;
        B0 = b0; B1 = b1; B2 = b2; B3 = b3;
    }

    public readonly int D1, D2, D3;
    public readonly int A0, A1, A2, A3;
    public readonly int B0, B1, B2, B3;

    /// <summary>Plans a ⊕ b for shapes of rank ≤ 4; false when they do not broadcast or the rank is larger.</summary>
    public static bool TryCreate(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out Broadcast4 plan, out int total)
    {
        plan = default;
        total = 0;
        if (a.Length > 4 || b.Length > 4) return false;
        Span<int> dims = stackalloc int[4], sa = stackalloc int[4], sb = stackalloc int[4];
        int runA = 1, runB = 1;
        for (int d = 3; d >= 0; d--)
        {
            int da = d - (4 - a.Length) >= 0 ? a[d - (4 - a.Length)] : 1;
            int db = d - (4 - b.Length) >= 0 ? b[d - (4 - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) return false;
            dims[d] = da == 1 ? db : da;
            sa[d] = da == dims[d] && da != 1 ? runA : 0;
            sb[d] = db == dims[d] && db != 1 ? runB : 0;
            runA *= da;
            runB *= db;
        }
        total = dims[0] * dims[1] * dims[2] * dims[3];
        plan = new Broadcast4(dims[1], dims[2], dims[3], sa[0], sa[1], sa[2], sa[3], sb[0], sb[1], sb[2], sb[3]);
        return true;
    }
}

/// <summary>
/// The ILGPU kernel sources. Each thread handles the elements [chunk·chunkSize, min(total, (chunk+1)·chunkSize)):
/// chunkSize is 1 on GPUs (one element per thread) and large on the CPU accelerator, where a thread costs ~2.8 µs.
/// Per-element math is the reference's: one binary32 add, subtract or multiply, then <see cref="ActivationRange.Apply"/>
/// (the reference's own clamp, so NaN and −0 behave identically).
/// </summary>
internal static class IlgpuKernels
{
    public const int OpAdd = 0;
    public const int OpMul = 1;
    public const int OpSub = 2;

    public static void Binary(Index1D chunk, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output,
        Broadcast4 plan, int op, ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int i3 = i % plan.D3;
            int rest = i / plan.D3;
            int i2 = rest % plan.D2;
            rest /= plan.D2;
            int i1 = rest % plan.D1;
            int i0 = rest / plan.D1;
            float x = a[i0 * plan.A0 + i1 * plan.A1 + i2 * plan.A2 + i3 * plan.A3];
            float y = b[i0 * plan.B0 + i1 * plan.B1 + i2 * plan.B2 + i3 * plan.B3];
            float value = op == OpAdd ? x + y : (op == OpSub ? x - y : x * y);
            output[i] = range.Apply(value);
        }
    }

    public static void Clamp(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ActivationRange range,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = range.Apply(input[i]);
    }

    /// <summary>
    /// FULLY_CONNECTED: output [b, u] = clamp(fma-chain over k = 0..depth-1 of input[b, k]·weights[u, k] starting
    /// at +0, then + bias[u] when there is a bias) — the reference's order, one MathF.FusedMultiplyAdd per step.
    /// </summary>
    /// <summary>
    /// CONV_2D (grouped when the filter covers fewer channels than the input) and DEPTHWISE_CONV_2D (filter
    /// [1, kh, kw, Cout], Cin = Cout / multiplier): per output, the reference's chain over ky, kx, then ci (conv
    /// only), skipping out-of-bounds taps, starting at +0; then + bias when present; then the clamp.
    /// </summary>
    public static void Convolution<TFma>(Index1D chunk, ArrayView<float> input, ArrayView<float> filter, ArrayView<float> bias,
        ArrayView<float> output, ConvGeometry g, ActivationRange range, int total, int chunkSize)
        where TFma : struct, IFusedMultiplyAdd
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int oc = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            float acc = 0f;
            for (int ky = 0; ky < g.FilterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= g.InputHeight) continue;
                for (int kx = 0; kx < g.FilterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= g.InputWidth) continue;
                    int pixel = ((b * g.InputHeight + iy) * g.InputWidth + ix) * g.InputDepth;
                    if (g.Depthwise != 0)
                    {
                        acc = default(TFma).Apply(input[pixel + oc / g.DepthMultiplier],
                            filter[(ky * g.FilterWidth + kx) * g.OutputDepth + oc], acc);
                    }
                    else
                    {
                        int inputOffset = pixel + oc / g.FiltersPerGroup * g.FilterDepth;
                        int filterOffset = ((oc * g.FilterHeight + ky) * g.FilterWidth + kx) * g.FilterDepth;
                        for (int ci = 0; ci < g.FilterDepth; ci++)
                            acc = default(TFma).Apply(input[inputOffset + ci], filter[filterOffset + ci], acc);
                    }
                }
            }
            float value = g.HasBias != 0 ? acc + bias[oc] : acc;
            output[i] = range.Apply(value);
        }
    }

    /// <summary>
    /// MAX_POOL_2D as the reference: taps clipped to the input, row-major over the window; the first tap seeds the
    /// maximum, a larger tap or a NaN (v != v) replaces it, so NaN sticks; an empty window gives NaN; then the clamp.
    /// </summary>
    public static void MaxPool(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ConvGeometry g,
        ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int c = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int kyStart = -iyOrigin > 0 ? -iyOrigin : 0;
            int kyEnd = g.FilterHeight < g.InputHeight - iyOrigin ? g.FilterHeight : g.InputHeight - iyOrigin;
            int kxStart = -ixOrigin > 0 ? -ixOrigin : 0;
            int kxEnd = g.FilterWidth < g.InputWidth - ixOrigin ? g.FilterWidth : g.InputWidth - ixOrigin;
            float max = float.NaN;
            bool first = true;
            for (int ky = kyStart; ky < kyEnd; ky++)
            for (int kx = kxStart; kx < kxEnd; kx++)
            {
                float v = input[((b * g.InputHeight + iyOrigin + ky) * g.InputWidth + ixOrigin + kx) * g.InputDepth + c];
#pragma warning disable CS1718 // v != v is the IsNaN test, written as a comparison every backend compiles
                if (first || v > max || v != v) max = v;
#pragma warning restore CS1718
                first = false;
            }
            output[i] = range.Apply(max);
        }
    }

    /// <summary>HARD_SWISH: the reference's own <see cref="SpecMath.HardSwish"/> per element (shared, so they cannot drift).</summary>
    public static void HardSwish(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = SpecMath.HardSwish(input[i]);
    }

    /// <summary>
    /// AVERAGE_POOL_2D as the reference: taps clipped to the input, a sequential sum from +0 in row-major window
    /// order, times the host-computed reciprocal of the tap count (the reference's table), then the clamp.
    /// </summary>
    public static void AveragePool(Index1D chunk, ArrayView<float> input, ArrayView<float> reciprocalOfCount,
        ArrayView<float> output, ConvGeometry g, ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int c = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int kyStart = -iyOrigin > 0 ? -iyOrigin : 0;
            int kyEnd = g.FilterHeight < g.InputHeight - iyOrigin ? g.FilterHeight : g.InputHeight - iyOrigin;
            int kxStart = -ixOrigin > 0 ? -ixOrigin : 0;
            int kxEnd = g.FilterWidth < g.InputWidth - ixOrigin ? g.FilterWidth : g.InputWidth - ixOrigin;
            int rows = kyEnd - kyStart > 0 ? kyEnd - kyStart : 0;
            int cols = kxEnd - kxStart > 0 ? kxEnd - kxStart : 0;
            float sum = 0f;
            for (int ky = kyStart; ky < kyEnd; ky++)
            for (int kx = kxStart; kx < kxEnd; kx++)
                sum += input[((b * g.InputHeight + iyOrigin + ky) * g.InputWidth + ixOrigin + kx) * g.InputDepth + c];
            output[i] = range.Apply(sum * reciprocalOfCount[rows * cols]);
        }
    }

    /// <summary>RESHAPE: the elements unchanged, in order (a plain load/store keeps every bit, NaN payloads included).</summary>
    public static void Copy(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = input[i];
    }

    /// <summary>PAD (zeros): each output element is the input element it covers, else +0, as the reference's cleared output.</summary>
    public static void Pad(Index1D chunk, ArrayView<float> input, ArrayView<float> output, PadShape p, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o3 = i % p.O3;
            int rest = i / p.O3;
            int o2 = rest % p.O2;
            rest /= p.O2;
            int o1 = rest % p.O1;
            int o0 = rest / p.O1;
            int x0 = o0 - p.B0, x1 = o1 - p.B1, x2 = o2 - p.B2, x3 = o3 - p.B3;
            bool inside = x0 >= 0 && x0 < p.I0 && x1 >= 0 && x1 < p.I1 && x2 >= 0 && x2 < p.I2 && x3 >= 0 && x3 < p.I3;
            output[i] = inside ? input[((x0 * p.I1 + x1) * p.I2 + x2) * p.I3 + x3] : 0f;
        }
    }

    public static void FullyConnected<TFma>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> output, FullyConnectedShape shape, ActivationRange range, int total, int chunkSize)
        where TFma : struct, IFusedMultiplyAdd
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int u = i % shape.Units;
            int b = i / shape.Units;
            int inputOffset = b * shape.Depth;
            int weightsOffset = u * shape.Depth;
            float acc = 0f;
            for (int k = 0; k < shape.Depth; k++)
                acc = default(TFma).Apply(input[inputOffset + k], weights[weightsOffset + k], acc);
            float value = shape.HasBias != 0 ? acc + bias[u] : acc;
            output[i] = range.Apply(value);
        }
    }
}

/// <summary>Geometry of CONV_2D / DEPTHWISE_CONV_2D, computed on the host with the reference's padding math.</summary>
internal struct ConvGeometry
{
    public int InputHeight, InputWidth, InputDepth;
    public int FilterHeight, FilterWidth, FilterDepth;
    public int OutputHeight, OutputWidth, OutputDepth;
    public int StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft;
    public int FiltersPerGroup, DepthMultiplier, Depthwise, HasBias;
}

/// <summary>
/// fma(a, b, c) rounded once to nearest-even, chosen per accelerator at load time (a type argument, so each
/// backend compiles only its own branch). ILGPU 1.5.3 has no FMA intrinsic: MathF.FusedMultiplyAdd becomes an
/// unresolved <c>.extern .func FusedMultiplyAdd</c> in PTX, and a runtime CudaAsm.IsSupported test is not folded.
/// </summary>
internal interface IFusedMultiplyAdd
{
    float Apply(float a, float b, float c);
}

/// <summary>The reference's own call; the CPU accelerator runs it as .NET code.</summary>
internal readonly struct HostFma : IFusedMultiplyAdd
{
    public float Apply(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}

/// <summary>Inline PTX <c>fma.rn.f32</c> for CUDA.</summary>
internal readonly struct PtxFma : IFusedMultiplyAdd
{
    public float Apply(float a, float b, float c)
    {
        CudaAsm.Emit("fma.rn.f32 %0, %1, %2, %3;", out float result, a, b, c);
        return result;
    }
}

/// <summary>PAD geometry right-aligned to rank 4: input dims, output dims (O0 implied), padding before each dim.</summary>
internal struct PadShape
{
    public int I0, I1, I2, I3, O1, O2, O3, B0, B1, B2, B3;
}

/// <summary>FULLY_CONNECTED geometry for the kernel.</summary>
internal readonly struct FullyConnectedShape(int units, int depth, int hasBias)
{
    public readonly int Units = units;
    public readonly int Depth = depth;
    public readonly int HasBias = hasBias;
}
