using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN (float32, constant int32 axes): per output element, as the reference,
/// acc = identity, then acc = combine(acc, x) over its input elements in the input's row-major order — a plain
/// rounded add or multiply (no product feeds a sum, so nothing can contract), or the ordered comparison and select
/// (acc &gt; x ? acc : x; PTX max/min would treat NaN their own way). Size-1 dimensions are dropped and neighbouring
/// dimensions of the same kind merged (MeanGeometry); refused when more than four kept or four reduced runs remain.
/// A scalar input is copied. REDUCE_MAX and REDUCE_MIN on int8/uint8: the same walk on the stored integers from the
/// type's lowest / largest value, no rescaling (TFLite's reduce.cc); int16 the same on two-byte elements. SUM on
/// int8/uint8/int16: MEAN's integer walk and requantization (<see cref="MeanKernel.CompileQuantized"/>) with the
/// definition's multiplier s_in/s_out (TFLite's QuantizedMeanOrSum with compute_sum; an empty reduction gives 0).
/// Quantized int8/int16 REDUCE_PROD: the same kernel's product fold (<see cref="MeanKernel.CompileProduct"/>, TFLite's
/// QuantizedReduceProd); a REDUCE_PROD on unquantized 8/16-bit data is refused with the reason.
/// </summary>
[OpCodes(BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin)]
internal sealed class ReductionKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];

    // 8-bit and int16 data: SUM, REDUCE_MAX, REDUCE_MIN and quantized REDUCE_PROD (an unquantized product refused in Supports).
    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    /// <summary>Only what the four-run layout cannot express is refused (the definition validated the rest).</summary>
    public NodeSupport Supports(DelegateNode node)
    {
        if (IntegerReductions.Refusal(node, node.ParamsAs<ReductionParams>(), "ILGPU") is { } product) return NodeSupport.Refuse(product);
        return ShapeOf(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ReductionParams>();
        if (p.QuantizedSum is { } sum)
        {
            MeanKernel.CompileQuantized(node, c, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, sum);
            return;
        }
        if (p.QuantizedProduct is { } product)
        {
            MeanKernel.CompileProduct(node, c, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, product);
            return;
        }
        ShapeOf(node, out var shape);
        if (node.Inputs[0]!.Type == TensorType.Int16)
            Launch(node, c, shape, c.View(node.Inputs[0]!).Cast<short>(), c.View(node.Outputs[0]).Cast<short>(), Int16Kernel);
        else if (QuantizedKernels.IsQuantized(node))
            Launch(node, c, shape, QuantizedKernels.Bytes(c, node.Inputs[0]!), QuantizedKernels.Bytes(c, node.Outputs[0]), QuantizedKernel);
        else
            Launch(node, c, shape, c.View(node.Inputs[0]!), c.View(node.Outputs[0]), Kernel);
    }

    /// <summary>One launch of <paramref name="kernelMethod"/> over the output elements (the float and the 8-bit walks alike).</summary>
    private static void Launch<T>(DelegateNode node, IlgpuCompilation c, ReductionShape shape, ArrayView<T> input, ArrayView<T> output,
        Action<Index1D, ArrayView<T>, ArrayView<T>, ReductionShape, int, int> kernelMethod) where T : unmanaged
    {
        int total = checked((int)node.Outputs[0].ElementCount);
        if (total == 0) return;
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load(kernelMethod);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ReductionShape s, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            if (s.Copy != 0)
            {
                output[i] = input[i];
                continue;
            }
            int origin = s.Origin(i);
            float acc = s.Identity;
            for (int r0 = 0; r0 < s.R0; r0++)
            for (int r1 = 0; r1 < s.R1; r1++)
            for (int r2 = 0; r2 < s.R2; r2++)
            for (int r3 = 0; r3 < s.R3; r3++)
            {
                float v = input[origin + r0 * s.RS0 + r1 * s.RS1 + r2 * s.RS2 + r3 * s.RS3];
                acc = s.Kind switch
                {
                    0 => acc + v,
                    1 => acc * v,
                    2 => acc > v ? acc : v,
                    _ => acc < v ? acc : v,
                };
            }
            output[i] = acc;
        }
    }

    /// <summary>
    /// REDUCE_MAX (Kind 2) and REDUCE_MIN (Kind 3) on the stored 8-bit integers: acc from the type's lowest (largest)
    /// value, acc &gt; v ? acc : v (acc &lt; v ? acc : v); exact, so the order does not matter. A copy moves the byte.
    /// </summary>
    public static void QuantizedKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, ReductionShape s, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            if (s.Copy != 0)
            {
                output[i] = input[i];
                continue;
            }
            int origin = s.Origin(i);
            bool maximum = s.Kind == 2;
            int acc = maximum ? (s.Signed != 0 ? sbyte.MinValue : byte.MinValue) : (s.Signed != 0 ? sbyte.MaxValue : byte.MaxValue);
            for (int r0 = 0; r0 < s.R0; r0++)
            for (int r1 = 0; r1 < s.R1; r1++)
            for (int r2 = 0; r2 < s.R2; r2++)
            for (int r3 = 0; r3 < s.R3; r3++)
            {
                int v = QuantizedKernels.Load(input, origin + r0 * s.RS0 + r1 * s.RS1 + r2 * s.RS2 + r3 * s.RS3, s.Signed);
                acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
            }
            output[i] = (byte)acc;
        }
    }

    /// <summary>REDUCE_MAX (Kind 2) and REDUCE_MIN (Kind 3) on int16: <see cref="QuantizedKernel"/>'s walk from −32768 (32767).</summary>
    public static void Int16Kernel(Index1D chunk, ArrayView<short> input, ArrayView<short> output, ReductionShape s, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            if (s.Copy != 0)
            {
                output[i] = input[i];
                continue;
            }
            int origin = s.Origin(i);
            bool maximum = s.Kind == 2;
            int acc = maximum ? short.MinValue : short.MaxValue;
            for (int r0 = 0; r0 < s.R0; r0++)
            for (int r1 = 0; r1 < s.R1; r1++)
            for (int r2 = 0; r2 < s.R2; r2++)
            for (int r3 = 0; r3 < s.R3; r3++)
            {
                int v = input[origin + r0 * s.RS0 + r1 * s.RS1 + r2 * s.RS2 + r3 * s.RS3];
                acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
            }
            output[i] = (short)acc;
        }
    }

    /// <summary>The definition's reduction as kept and reduced runs (<see cref="MeanGeometry"/>); null when supported, else the refusal.</summary>
    private static string? ShapeOf(DelegateNode node, out ReductionShape shape)
    {
        shape = default;
        var p = node.ParamsAs<ReductionParams>();
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        shape = new ReductionShape
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Kind = p.Kind switch { ReductionKind.Sum => 0, ReductionKind.Product => 1, ReductionKind.Maximum => 2, _ => 3 },
            Copy = p.IsCopy ? 1 : 0,
            Signed = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
            Identity = p.Kind switch { ReductionKind.Sum => 0f, ReductionKind.Product => 1f, ReductionKind.Maximum => -float.MaxValue, _ => float.MaxValue },
        };
        return null;
    }
}

/// <summary>
/// A reduction's kept (K, output order) and reduced (R, fold order) dimension runs with their input strides, kind and
/// identity; Signed (1: int8) is read by the 8-bit walk only.
/// </summary>
internal struct ReductionShape
{
    public int K0, K1, K2, K3, KS0, KS1, KS2, KS3;
    public int R0, R1, R2, R3, RS0, RS1, RS2, RS3;
    public int Kind, Copy, Signed;
    public float Identity;

    /// <summary>
    /// The input offset of output element <paramref name="output"/>'s first reduced element: output elements are the kept
    /// coordinates in row-major order (every walk — float, 8-bit, int16 — starts here).
    /// </summary>
    public readonly int Origin(int output)
    {
        int k3 = output % K3;
        int rest = output / K3;
        int k2 = rest % K2;
        rest /= K2;
        int k1 = rest % K1;
        int k0 = rest / K1;
        return k0 * KS0 + k1 * KS1 + k2 * KS2 + k3 * KS3;
    }
}
