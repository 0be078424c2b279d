using Accel.Kernels.Geometry;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MEAN (float32, constant int32 axes, keep_dims either way): per output element, as the reference, sum = +0,
/// then sum = sum + x over its input elements in the input's row-major order (plain rounded adds), then
/// sum · R(n) with the definition's R(n) = SpecMath.ReciprocalOfCount(n) (n = 0: +∞, so the result is NaN).
/// Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (neither changes the order);
/// refused when more than four kept or four reduced dimensions remain. int8/uint8 (<see cref="QuantizedKernel"/>): the
/// same walk summing the stored integers in int32 (wrapping, order-free), then the reference's requantization
/// (<see cref="QuantizedMeanParams"/>: less zp_in·n, MultiplyByQuantizedMultiplier, + zp_out, clamp); an empty input gives 0.
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    /// <summary>Only what the four-run layout cannot express is refused (the definition validated the rest).</summary>
    public NodeSupport Supports(DelegateNode node) =>
        ShapeOf(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<MeanParams>();
        if (p.Quantized is { } q)
        {
            CompileQuantized(node, c, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, q);
            return;
        }
        ShapeOf(node, out var shape);
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, MeanShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
    }

    /// <summary>
    /// <see cref="QuantizedKernel"/> over <paramref name="g"/>'s runs: the integer sum of <paramref name="reducedCount"/>
    /// stored values per output, requantized with <paramref name="q"/> (MEAN: 1/n folded into the multiplier; SUM: not).
    /// int8, uint8 and (SUM) int16 data.
    /// </summary>
    internal static void CompileQuantized(DelegateNode node, IlgpuCompilation c, MeanGeometry g, long reducedCount, QuantizedMeanParams q) =>
        CompileInteger(node, c, g, reducedCount, new QuantizedMeanArgs
        {
            // zp_in·n modulo 2^32: the reference subtracts it in int64 and truncates, the same bits.
            ZeroPointTimesCount = unchecked((int)(q.InputZeroPoint * reducedCount)),
            Multiplier = q.Multiplier.Multiplier, Shift = q.Multiplier.Shift, OutputZeroPoint = q.OutputZeroPoint,
            Min = q.Min, Max = q.Max,
        });

    /// <summary>
    /// <see cref="QuantizedKernel"/>'s product fold for a quantized int8/int16 REDUCE_PROD (<see cref="QuantizedProductParams"/>,
    /// TFLite's QuantizedReduceProd): the first element less zp_in, each further int64 product rescaled by the 64-bit
    /// MultiplyByQuantizedMultiplier, one more rescale, + zp_out, clamped; an empty reduction gives the quantized 1.
    /// </summary>
    internal static void CompileProduct(DelegateNode node, IlgpuCompilation c, MeanGeometry g, long reducedCount, QuantizedProductParams q) =>
        CompileInteger(node, c, g, reducedCount, new QuantizedMeanArgs
        {
            Product = 1, EmptyValue = q.EmptyValue, ZeroPointTimesCount = q.InputZeroPoint,
            Multiplier = q.Multiplier.Multiplier, Shift = q.Multiplier.Shift, OutputZeroPoint = q.OutputZeroPoint,
            Min = q.Min, Max = q.Max,
        });

    private static void CompileInteger(DelegateNode node, IlgpuCompilation c, MeanGeometry g, long reducedCount, QuantizedMeanArgs args)
    {
        var shape = MeanShape.Of(g, 0f);
        var bytesIn = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var bytesOut = QuantizedKernels.Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        if (total == 0) return;
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        args.Signed = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0;
        args.Wide = node.Inputs[0]!.Type == TensorType.Int16 ? 1 : 0;
        args.Empty = reducedCount == 0 || node.Inputs[0]!.ElementCount == 0 ? 1 : 0;
        (args.Total, args.ChunkSize) = (total, chunkSize);
        var quantized = c.Load<ArrayView<byte>, ArrayView<byte>, MeanShape, QuantizedMeanArgs>(QuantizedKernel);
        c.Add(() => quantized(chunks, bytesIn, bytesOut, shape, args), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, MeanShape s, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            // Output elements are the kept coordinates in row-major order.
            int k3 = i % s.K3;
            int rest = i / s.K3;
            int k2 = rest % s.K2;
            rest /= s.K2;
            int k1 = rest % s.K1;
            int k0 = rest / s.K1;
            int origin = k0 * s.KS0 + k1 * s.KS1 + k2 * s.KS2 + k3 * s.KS3;
            float sum = 0f;
            for (int r0 = 0; r0 < s.R0; r0++)
            for (int r1 = 0; r1 < s.R1; r1++)
            for (int r2 = 0; r2 < s.R2; r2++)
            for (int r3 = 0; r3 < s.R3; r3++)
                sum += input[origin + r0 * s.RS0 + r1 * s.RS1 + r2 * s.RS2 + r3 * s.RS3];
            output[i] = sum * s.Reciprocal;
        }
    }

    /// <summary>
    /// The integer reductions over the runs: Product 0 sums the stored values in wrapping int32 and requantizes
    /// (<see cref="QuantizedMeanParams.Requantize"/>'s rescaled form); Product 1 folds as Runtime.Core's
    /// QuantizedProductFold. Wide 1: little-endian int16 elements (two bytes each), else 8-bit (Signed: int8).
    /// </summary>
    public static void QuantizedKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, MeanShape s, QuantizedMeanArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            int value;
            if (q.Empty != 0) value = q.EmptyValue;
            else
            {
                int k3 = i % s.K3;
                int rest = i / s.K3;
                int k2 = rest % s.K2;
                rest /= s.K2;
                int k1 = rest % s.K1;
                int k0 = rest / s.K1;
                int origin = k0 * s.KS0 + k1 * s.KS1 + k2 * s.KS2 + k3 * s.KS3;
                int acc = 0;
                bool first = true;
                for (int r0 = 0; r0 < s.R0; r0++)
                for (int r1 = 0; r1 < s.R1; r1++)
                for (int r2 = 0; r2 < s.R2; r2++)
                for (int r3 = 0; r3 < s.R3; r3++)
                {
                    int at = origin + r0 * s.RS0 + r1 * s.RS1 + r2 * s.RS2 + r3 * s.RS3;
                    int v = q.Wide != 0 ? (short)(input[2 * at] | (input[2 * at + 1] << 8)) : QuantizedKernels.Load(input, at, q.Signed);
                    if (q.Product == 0) acc = unchecked(acc + v);
                    else if (first) acc = v - q.ZeroPointTimesCount;
                    else acc = Quantization.MultiplyByQuantizedMultiplier((long)acc * (v - q.ZeroPointTimesCount), q.Multiplier, q.Shift);
                    first = false;
                }
                value = q.Product == 0
                    ? Quantization.MultiplyByQuantizedMultiplier(unchecked(acc - q.ZeroPointTimesCount), q.Multiplier, q.Shift) + q.OutputZeroPoint
                    : Quantization.MultiplyByQuantizedMultiplier((long)acc, q.Multiplier, q.Shift) + q.OutputZeroPoint;
                value = value < q.Min ? q.Min : value > q.Max ? q.Max : value;
            }
            if (q.Wide != 0)
            {
                output[2 * i] = (byte)value;
                output[2 * i + 1] = (byte)(value >> 8);
            }
            else output[i] = (byte)value;
        }
    }

    /// <summary>The definition's reduction as kept and reduced runs (<see cref="MeanGeometry"/>); null when supported, else the refusal.</summary>
    private static string? ShapeOf(DelegateNode node, out MeanShape shape)
    {
        shape = default;
        var p = node.ParamsAs<MeanParams>();
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        shape = MeanShape.Of(g, p.Reciprocal);
        return null;
    }
}

/// <summary>MEAN's kept (K, output order) and reduced (R, summation order) dimension runs with their input strides.</summary>
internal struct MeanShape
{
    public int K0, K1, K2, K3, KS0, KS1, KS2, KS3;
    public int R0, R1, R2, R3, RS0, RS1, RS2, RS3;
    public float Reciprocal;

    /// <summary>The runs of <paramref name="g"/> with MEAN's reciprocal (unused by the integer kernel).</summary>
    public static MeanShape Of(MeanGeometry g, float reciprocal) => new()
    {
        K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
        KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
        R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
        RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
        Reciprocal = reciprocal,
    };
}

/// <summary>
/// An integer MEAN's or SUM's requantization (<see cref="QuantizedMeanParams"/>), or (Product 1) a quantized
/// REDUCE_PROD's (<see cref="QuantizedProductParams"/>; ZeroPointTimesCount then holds zp_in), as kernel arguments.
/// </summary>
internal struct QuantizedMeanArgs
{
    public int Signed, Wide, Product, Empty, EmptyValue, ZeroPointTimesCount, Multiplier, Shift, OutputZeroPoint, Min, Max, Total, ChunkSize;
}
