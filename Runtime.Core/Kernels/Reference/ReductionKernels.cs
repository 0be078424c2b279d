using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>One reduction's fold: the value every output starts from and how it takes in the next element.</summary>
internal interface IReducer<T> where T : unmanaged
{
    static abstract T Identity { get; }
    static abstract T Combine(T accumulator, T value);
}

/// <summary>acc + x: IEEE rounded add for float32 (+0 start, so a sum of −0 alone is +0); wrapping for integers.</summary>
internal readonly struct SumReducer<T> : IReducer<T> where T : unmanaged, INumber<T>
{
    public static T Identity => T.Zero;
    public static T Combine(T accumulator, T value) => unchecked(accumulator + value);
}

/// <summary>acc · x: IEEE rounded multiply for float32 (start 1, which changes no value); wrapping for integers.</summary>
internal readonly struct ProductReducer<T> : IReducer<T> where T : unmanaged, INumber<T>
{
    public static T Identity => T.One;
    public static T Combine(T accumulator, T value) => unchecked(accumulator * value);
}

/// <summary>
/// TFLite's MaxOp: <c>acc &gt; x ? acc : x</c> from the type's lowest value (float32: −MaxValue, not −∞). A NaN element
/// becomes the accumulator and is replaced by the next element (NaN &gt; x is false), so the result is NaN only when
/// the last element is; −∞ elements never beat −MaxValue.
/// </summary>
internal readonly struct MaximumReducer<T> : IReducer<T> where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public static T Identity => T.MinValue;
    public static T Combine(T accumulator, T value) => accumulator > value ? accumulator : value;
}

/// <summary>TFLite's MinOp: <c>acc &lt; x ? acc : x</c> from the type's largest value (float32: MaxValue, not +∞).</summary>
internal readonly struct MinimumReducer<T> : IReducer<T> where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public static T Identity => T.MaxValue;
    public static T Combine(T accumulator, T value) => accumulator < value ? accumulator : value;
}

/// <summary>acc || x on bool bytes (any nonzero byte is true; the output is 0 or 1).</summary>
internal readonly struct AnyReducer : IReducer<byte>
{
    public static byte Identity => 0;
    public static byte Combine(byte accumulator, byte value) => accumulator != 0 || value != 0 ? (byte)1 : (byte)0;
}

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN and REDUCE_ANY (docs/numerics.md §SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN,
/// REDUCE_ANY): every output starts at the reducer's identity and folds its input elements in the input's row-major
/// order, one Combine each — the order TFLite's optimized ReduceGeneric reads them in. An empty axes list (or a scalar
/// input) copies the input (TFLite's ReduceIsCopy); REDUCE_ANY's copy still writes 0 or 1.
/// </summary>
internal abstract class ReductionKernel : ReferenceKernel<ReductionParams>
{
    protected abstract BuiltinOperator Op { get; }

    public override IReadOnlyList<OpId> Ops => [Op];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(Op).Types;

    protected override void Invoke(KernelContext context, ReductionParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        if (p.QuantizedSum is { } sum)
        {
            switch (input.Type)
            {
                case TensorType.Int8: QuantizedSum(input.Read<sbyte>(), output.Write<sbyte>(), p, sum); break;
                case TensorType.UInt8: QuantizedSum(input.Read<byte>(), output.Write<byte>(), p, sum); break;
                default: QuantizedSum(input.Read<short>(), output.Write<short>(), p, sum); break;
            }
            return;
        }
        if (p.QuantizedProduct is { } product)
        {
            if (input.Type == TensorType.Int8) QuantizedProduct(input.Read<sbyte>(), output.Write<sbyte>(), p, product);
            else QuantizedProduct(input.Read<short>(), output.Write<short>(), p, product);
            return;
        }
        switch (p.Kind, input.Type)
        {
            case (ReductionKind.Sum, TensorType.Float32): Run<float, SumReducer<float>>(input, output, p); break;
            case (ReductionKind.Sum, TensorType.Int32): Run<int, SumReducer<int>>(input, output, p); break;
            case (ReductionKind.Sum, _): Run<long, SumReducer<long>>(input, output, p); break;
            case (ReductionKind.Product, TensorType.Float32): Run<float, ProductReducer<float>>(input, output, p); break;
            case (ReductionKind.Product, TensorType.Int32): Run<int, ProductReducer<int>>(input, output, p); break;
            case (ReductionKind.Product, TensorType.Int8): Run<sbyte, ProductReducer<sbyte>>(input, output, p); break;
            case (ReductionKind.Product, TensorType.Int16): Run<short, ProductReducer<short>>(input, output, p); break;
            case (ReductionKind.Product, _): Run<long, ProductReducer<long>>(input, output, p); break;
            case (ReductionKind.Maximum, TensorType.Float32): Run<float, MaximumReducer<float>>(input, output, p); break;
            case (ReductionKind.Maximum, TensorType.Int32): Run<int, MaximumReducer<int>>(input, output, p); break;
            case (ReductionKind.Maximum, TensorType.Int8): Run<sbyte, MaximumReducer<sbyte>>(input, output, p); break;
            case (ReductionKind.Maximum, TensorType.UInt8): Run<byte, MaximumReducer<byte>>(input, output, p); break;
            case (ReductionKind.Maximum, TensorType.Int16): Run<short, MaximumReducer<short>>(input, output, p); break;
            case (ReductionKind.Maximum, _): Run<long, MaximumReducer<long>>(input, output, p); break;
            case (ReductionKind.Minimum, TensorType.Float32): Run<float, MinimumReducer<float>>(input, output, p); break;
            case (ReductionKind.Minimum, TensorType.Int32): Run<int, MinimumReducer<int>>(input, output, p); break;
            case (ReductionKind.Minimum, TensorType.Int8): Run<sbyte, MinimumReducer<sbyte>>(input, output, p); break;
            case (ReductionKind.Minimum, TensorType.UInt8): Run<byte, MinimumReducer<byte>>(input, output, p); break;
            case (ReductionKind.Minimum, TensorType.Int16): Run<short, MinimumReducer<short>>(input, output, p); break;
            case (ReductionKind.Minimum, _): Run<long, MinimumReducer<long>>(input, output, p); break;
            default:
                if (p.IsCopy)
                {
                    // Through the reducer from its identity, so the output is 0/1 even where the input byte is not.
                    var x = input.Read<byte>();
                    var y = output.Write<byte>();
                    for (int i = 0; i < (int)p.OutputCount; i++) y[i] = AnyReducer.Combine(AnyReducer.Identity, x[i]);
                }
                else Fold<byte, AnyReducer>(input.Read<byte>(), output.Write<byte>(), p);
                break;
        }
    }

    /// <summary>
    /// int8/uint8/int16 SUM: MEAN's integer walk and requantization without 1/n (TFLite's QuantizedMeanOrSum with
    /// compute_sum); an empty input gives 0 in every output, as TFLite.
    /// </summary>
    private static void QuantizedSum<T>(ReadOnlySpan<T> input, Span<T> output, ReductionParams p, QuantizedMeanParams q)
        where T : unmanaged, IBinaryInteger<T>
    {
        output[..(int)p.OutputCount].Clear();
        if (p.ReducedCount == 0 || input.IsEmpty) return;
        IntegerReduction.Walk(input, output, p.InputDims, p.Reduced, p.OutputStrides,
            new SumFold<T, RequantizeSum<T>>(new RequantizeSum<T>(q, p.ReducedCount)));
    }

    /// <summary>Quantized int8/int16 REDUCE_PROD (TFLite's QuantizedReduceProd); an empty input gives the quantized 1.</summary>
    private static void QuantizedProduct<T>(ReadOnlySpan<T> input, Span<T> output, ReductionParams p, QuantizedProductParams q)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (p.ReducedCount == 0 || input.IsEmpty)
        {
            output[..(int)p.OutputCount].Fill(T.CreateTruncating(q.EmptyValue));
            return;
        }
        IntegerReduction.Walk(input, output, p.InputDims, p.Reduced, p.OutputStrides, new QuantizedProductFold<T>(q));
    }

    private static void Run<T, TReducer>(Tensor input, Tensor output, ReductionParams p)
        where T : unmanaged where TReducer : IReducer<T>
    {
        if (p.IsCopy)
        {
            int count = (int)p.OutputCount;
            input.Read<T>()[..count].CopyTo(output.Write<T>());
            return;
        }
        Fold<T, TReducer>(input.Read<T>(), output.Write<T>(), p);
    }

    /// <summary>Every output from the identity; the input in row-major order, each element combined into its output.</summary>
    internal static void Fold<T, TReducer>(ReadOnlySpan<T> input, Span<T> output, ReductionParams p)
        where T : unmanaged where TReducer : IReducer<T>
    {
        var dims = p.InputDims.AsSpan();
        var outputStrides = p.OutputStrides.AsSpan();
        int outputCount = (int)p.OutputCount;
        output[..outputCount].Fill(TReducer.Identity);
        int inputCount = checked((int)(p.OutputCount * p.ReducedCount));
        Span<int> counter = stackalloc int[dims.Length];
        int o = 0;
        for (int i = 0; i < inputCount; i++)
        {
            output[o] = TReducer.Combine(output[o], input[i]);
            // Row-major odometer over the input; o follows with the output strides.
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                counter[d]++;
                o += outputStrides[d];
                if (counter[d] < dims[d]) break;
                o -= outputStrides[d] * dims[d];
                counter[d] = 0;
            }
        }
    }
}

[OpCodes(BuiltinOperator.Sum)]
internal sealed class SumKernel : ReductionKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.Sum;
}

[OpCodes(BuiltinOperator.ReduceProd)]
internal sealed class ReduceProdKernel : ReductionKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ReduceProd;
}

[OpCodes(BuiltinOperator.ReduceMax)]
internal sealed class ReduceMaxKernel : ReductionKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ReduceMax;
}

[OpCodes(BuiltinOperator.ReduceMin)]
internal sealed class ReduceMinKernel : ReductionKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ReduceMin;
}

[OpCodes(BuiltinOperator.ReduceAny)]
internal sealed class ReduceAnyKernel : ReductionKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ReduceAny;
}
