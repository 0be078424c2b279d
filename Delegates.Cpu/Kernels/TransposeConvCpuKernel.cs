using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// TRANSPOSE_CONV (builtin) on the CPU delegate: float32, constant OHWI weights (and bias, when present). The same
/// gather as Convolution2DTransposeBias (<see cref="TransposeConvolution"/>), so it runs on that op's compiled node
/// (<see cref="TransposeConvBiasCpuNode{TOps, TV}"/>: phase-split runs through the shared register-blocked GEMM
/// micro-kernels, vectorized across output channels), here with an optional bias (an absent one packs no add, as the
/// reference adds none: acc + 0 would turn an underflowed −0 into +0) and the fused-activation clamp.
/// int8, uint8 and int16x8: <see cref="Quantized.IntegerTransposeConvCpuNode{TForm}"/>; hybrid (float32 input, int8 weights): <see cref="Hybrid.HybridTransposeConvCpuNode{TS, TV}"/>.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvCpuKernel : CpuKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    // Float32 is the op's data dtype (the coverage matrix asks for it); the delegate's dtype check reads input 0, which
    // for TRANSPOSE_CONV is the int32 output_shape. The definition has already required float32 data tensors.
    // int8 and uint8 (the definition's Quantized params) and int16x8 run on IntegerTransposeConvCpuNode, hybrid (float32
    // input, int8 weights) on HybridTransposeConvCpuNode.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, TransposeConvParams p) => SupportsTensors(node, withOutput: true);

    /// <summary>
    /// A run-time output_shape (the definition checks its values at Invoke, then this kernel compiles for them):
    /// float32, hybrid (float32 input, int8 weights), int8, uint8 and int16x8 nodes — the definition has already checked
    /// the data tensors' types against each other — judged by the tensors known now. The output needs no check: the
    /// definition accepts only an output_shape whose forward convolution gives the input's (non-empty) height and width
    /// back, so no dimension is empty, and its element count is checked when the output is sized.
    /// </summary>
    protected override NodeSupport SupportsParamsAtInvoke(DelegateNode node)
    {
        var input = node.Inputs[2]!;
        if (input.Type is not (TensorType.Float32 or TensorType.Int8 or TensorType.UInt8 or TensorType.Int16))
            return NodeSupport.Refuse(
                $"input '{input.Name}' is {input.Type.ToDisplayName()}; the CPU delegate resolves a run-time output_shape for float32, hybrid (int8 weights), int8, uint8 and int16 TRANSPOSE_CONV");
        return SupportsTensors(node, withOutput: false);
    }

    private static NodeSupport SupportsTensors(DelegateNode node, bool withOutput)
    {
        var weights = node.Inputs[1]!;
        var bias = node.Inputs.Count > 3 ? node.Inputs[3] : null;
        var tensors = withOutput
            ? new[] { (node.Inputs[2]!, "input"), (weights, "weights"), (node.Outputs[0], "output") }
            : new[] { (node.Inputs[2]!, "input"), (weights, "weights") };
        foreach (var (tensor, role) in tensors)
        {
            foreach (int d in tensor.Shape)
                if (d <= 0)
                    return NodeSupport.Refuse($"{role} '{tensor.Name}' has an empty dimension (shape [{ConvLoops.Format(tensor.Shape)}]); the CPU kernels need non-empty tensors");
            if (tensor.ElementCount > int.MaxValue)
                return NodeSupport.Refuse($"{role} '{tensor.Name}' has more than 2^31-1 elements (the CPU kernels' offsets are 32-bit)");
        }
        if (!weights.IsConstant) return NodeSupport.Refuse($"weights '{weights.Name}' are not a constant (weights are packed once at compile time)");
        if (bias is not null && !bias.IsConstant) return NodeSupport.Refuse($"bias '{bias.Name}' is not a constant (the bias is packed once at compile time)");
        long taps = (long)weights.Dim(1) * weights.Dim(2);
        if (taps > ConvLoops.MaxTaps) return NodeSupport.Refuse($"the filter has {taps} taps, more than the CPU kernels' {ConvLoops.MaxTaps}");
        return NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, TransposeConvParams p)
    {
        var weights = node.Inputs[1]!;
        var input = node.Inputs[2]!;
        var bias = node.Inputs.Count > 3 ? node.Inputs[3] : null;
        var output = node.Outputs[0];
        if (p.Quantized is { } quantized) return CompileEightBit(input, weights, bias, output, p, quantized);
        if (p.Int16 is { } int16) return CompileInt16(input, weights, bias, output, p, int16);
        if (p.Hybrid is { } hybrid) return Hybrid.HybridTransposeConv.Compile(node, p, hybrid);
        var g = ConvLayout.Of(input, weights, output, p.StrideH, p.StrideW, 1, 1, p.PadTop, p.PadLeft);
        var width = GemmWidths.ForMatrixProduct(g.OutputDepth);
        var packed = new PackedConvWeights(weights.Read<float>(), bias is null ? default : bias.Read<float>(), g.OutputDepth,
            g.FilterHeight * g.FilterWidth, g.InputDepth, (int)width);
        float min = p.Activation.Min, max = p.Activation.Max;
        bool clamp = !VectorClamp.IsIdentityRange(p.Activation);
        var raw = weights.Read<float>();
        return TransposeConvBiasCpuNode.NodeWidth(g, width) switch
        {
            GemmWidth.W512 => new TransposeConvBiasCpuNode<Gemm512, Vector512<float>>(input, output, g, packed,
                new(Vector512.Create(min), Vector512.Create(max), clamp), raw),
            GemmWidth.W256 => new TransposeConvBiasCpuNode<Gemm256, Vector256<float>>(input, output, g, packed,
                new(Vector256.Create(min), Vector256.Create(max), clamp), raw),
            GemmWidth.W128 => new TransposeConvBiasCpuNode<Gemm128, Vector128<float>>(input, output, g, packed,
                new(Vector128.Create(min), Vector128.Create(max), clamp), raw),
            _ => new TransposeConvBiasCpuNode<GemmScalar, float>(input, output, g, packed, new(min, max, clamp), raw),
        };
    }

    /// <summary>int8 (symmetric weights) or uint8 (per-tensor weights with a zero point): int32 bias, zeros when absent.</summary>
    private static ICpuCompiledNode CompileEightBit(Tensor input, Tensor weights, Tensor? bias, Tensor output, TransposeConvParams p,
        QuantizedConvParams q)
    {
        int[] values = bias is null ? new int[output.Dim(3)] : bias.Read<int>()[..output.Dim(3)].ToArray();
        return input.Type == TensorType.UInt8
            ? new Quantized.IntegerTransposeConvCpuNode<Quantized.EightBitTransposeConv<byte>>(input, weights, q.FilterOffset, output, p, new(values, q))
            : new Quantized.IntegerTransposeConvCpuNode<Quantized.EightBitTransposeConv<sbyte>>(input, weights, q.FilterOffset, output, p, new(values, q));
    }

    /// <summary>int16x8: int8 weights, an int64 bias (or an int32 one, widened), zeros when absent.</summary>
    private static ICpuCompiledNode CompileInt16(Tensor input, Tensor weights, Tensor? bias, Tensor output, TransposeConvParams p, Int16ConvParams q)
    {
        var values = Quantized.Int16Requantizer.BiasValues(bias, output.Dim(3));
        return new Quantized.IntegerTransposeConvCpuNode<Quantized.Int16TransposeConv>(input, weights, 0, output, p, new(values, q));
    }
}
