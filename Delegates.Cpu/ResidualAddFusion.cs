using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>
/// Fuses an int8/uint8 CONV_2D (the GEMM node, or the small pointwise node) or a float32 pointwise CONV_2D into the ADD
/// that alone reads its output, with a residual operand of the same shape (MobileNetV2/BlazePose-style residual blocks:
/// 1×1 projection + skip connection): one pass computes the convolution's output tile by tile into a stack buffer and
/// adds the residual to them into the ADD's output, so the convolution's output tensor is never written nor read back.
/// The values are the convolution's own (the same GEMM, requantization or float epilogue, the same clamp) and the sums
/// the ADD node's own element loop over them (either operand order, the ADD's fused activation), so every bit is the
/// two nodes'. Changes no result: only a tensor produced and consumed
/// inside the partition is skipped.
/// </summary>
internal static class ResidualAddFusion
{
    /// <summary>
    /// The fused node for partition nodes <paramref name="index"/> (compiled as <paramref name="first"/>) and
    /// <paramref name="index"/> + 1 — and, for a float ADD without an activation of its own, the RELU/RELU6/RELU_N1_TO_1
    /// at <paramref name="index"/> + 2 that alone reads its result (its clamp joins the pass) — or null when they do not
    /// form the pattern. <paramref name="consumed"/>: the partition nodes the fused node covers (2 or 3).
    /// </summary>
    public static ResidualAddFusedNode? TryFuse(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels, ICpuCompiledNode first,
        Func<int, ICpuCompiledNode> compile, out int consumed)
    {
        consumed = 0;
        if (first is not IResidualAddSource conv || index + 1 >= partition.Nodes.Count) return null;
        var producer = partition.Nodes[index];
        var add = partition.Nodes[index + 1];
        if (producer.Outputs.Count != 1 || add.Builtin != BuiltinOperator.Add || add.Inputs.Count != 2 || add.Outputs.Count != 1) return null;
        var intermediate = producer.Outputs[0];
        int operand = ReferenceEquals(add.Inputs[0], intermediate) ? 0 : ReferenceEquals(add.Inputs[1], intermediate) ? 1 : -1;
        if (operand < 0) return null;
        var residual = add.Inputs[1 - operand];
        var output = add.Outputs[0];
        if (residual is null || ReferenceEquals(residual, intermediate)) return null;
        if (residual.Type != intermediate.Type || output.Type != intermediate.Type
            || residual.ElementCount != intermediate.ElementCount || output.ElementCount != intermediate.ElementCount) return null;
        if (!ActivationFusion.IsReadOnlyBy(partition, intermediate, index + 1, operand)) return null;
        var second = compile(index + 1);
        ICpuCompiledNode? fused = null;
        ICpuCompiledNode unfusedAdd = second;
        consumed = 2;
        if (conv is IResidualAddProducer integer && second is QuantizedBinaryCpuNode integerAdd && integerAdd.IsSameShapeAdd)
            fused = integer.WithResidualAdd(new ResidualAddOperands(integerAdd, operand, residual, output));
        // Float: one shape throughout (no broadcast), so element i of the ADD reads element i of both operands.
        else if (conv is IFloatResidualAddProducer single && second is BinaryElementwiseNode<AddOp> floatAdd && intermediate.Type == TensorType.Float32
            && residual.Shape.SequenceEqual(output.Shape) && intermediate.Shape.SequenceEqual(output.Shape))
        {
            var clamp = floatAdd.Clamp;
            // The RELU that alone reads the sum joins the pass (BlazeFace's blocks: ADD + RELU), as ActivationFusion would
            // have joined it to the ADD; unfused, the ADD and the RELU run as ActivationFusion (or one after the other).
            if (clamp.IsIdentity && ActivationFusion.FollowingClamp(partition, kernels, index + 2, output) is { } following)
            {
                clamp = new VectorClamp(following.Range);
                output = following.Output;
                unfusedAdd = ActivationFusion.WithFollowingClamp(partition, index + 1, kernels, second, compile);
                consumed = 3;
            }
            fused = single.WithResidualAdd(new FloatResidualAddOperands(operand, residual, output, clamp));
        }
        if (fused is null)
        {
            consumed = 0;
            return null;
        }
        return new ResidualAddFusedNode(fused, conv, unfusedAdd, residual, output, consumed);
    }
}

/// <summary>
/// A convolution node that can compute the residual ADD reading its output in the same pass (<see cref="IResidualAddProducer"/>:
/// integer; <see cref="IFloatResidualAddProducer"/>: float32): what <see cref="ResidualAddFusedNode"/> asks before it runs fused.
/// </summary>
internal interface IResidualAddSource : ICpuCompiledNode
{
    /// <summary>The convolution's input tensor (the fused node's overlap guard).</summary>
    Tensor Input { get; }

    /// <summary>
    /// Whether the fused pass may write its output exactly over its input: each output pixel takes exactly the bytes of
    /// the input pixel it reads, and each work item reads its pixels before it writes their bytes.
    /// </summary>
    bool CanRunOverInput { get; }

    /// <summary>Whether the work on <paramref name="pool"/> is split into channel groups: the fused pass then runs apart.</summary>
    bool SplitsChannels(CpuThreadPool pool);
}

/// <summary>
/// An integer convolution node that can compute the residual ADD reading its output in the same pass: each run of its
/// output bytes is requantized into a stack buffer exactly as into its output, then goes through the ADD node's own
/// element loop with the residual's elements.
/// </summary>
internal interface IResidualAddProducer : IResidualAddSource
{
    /// <summary>This convolution with <paramref name="residual"/>'s ADD in the same pass (its output is the ADD's), or null where it cannot.</summary>
    ICpuCompiledNode? WithResidualAdd(ResidualAddOperands residual);
}

/// <summary>
/// A float32 convolution node that can compute the residual ADD reading its output in the same pass: each tile of its
/// output is computed into a stack buffer exactly as into its output, then added to the residual's elements.
/// </summary>
internal interface IFloatResidualAddProducer : IResidualAddSource
{
    /// <summary>This convolution with <paramref name="residual"/>'s ADD in the same pass (its output is the ADD's), or null where it cannot.</summary>
    ICpuCompiledNode? WithResidualAdd(FloatResidualAddOperands residual);
}

/// <summary>
/// A float32 residual ADD fused into a convolution: which operand the convolution's output is, the other operand, the
/// ADD's output and its fused activation.
/// </summary>
internal sealed unsafe record FloatResidualAddOperands(int ConvOperand, Tensor Residual, Tensor Output, VectorClamp Clamp)
{
    /// <summary>Most convolution output floats a fused pass buffers on the stack (a tile's outputs, all channels).</summary>
    public const int BufferFloats = 8192;

    /// <summary>
    /// clamp(a + b) of <paramref name="count"/> convolution floats at <paramref name="conv"/> and the residual's at
    /// <paramref name="residual"/> into <paramref name="output"/>, in the ADD's operand order: the ADD node's own element loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(SimdWidth width, float* conv, float* residual, float* output, int count)
    {
        if (ConvOperand == 0) ElementwiseLoops.Row(width, default(AddOp), conv, 1, residual, 1, output, count, Clamp);
        else ElementwiseLoops.Row(width, default(AddOp), residual, 1, conv, 1, output, count, Clamp);
    }
}

/// <summary>
/// The residual ADD fused into a convolution: the ADD node, which of its operands the convolution's output is, the other
/// operand and the ADD's output.
/// </summary>
internal sealed unsafe record ResidualAddOperands(QuantizedBinaryCpuNode Add, int ConvOperand, Tensor Residual, Tensor Output)
{
    /// <summary>Most convolution output bytes a fused pass buffers on the stack before each ADD (and the widest run it fuses).</summary>
    public const int BufferBytes = 8192;

    /// <summary>
    /// The ADD of <paramref name="count"/> convolution bytes at <paramref name="conv"/> and the residual's bytes at
    /// <paramref name="residual"/> + <paramref name="at"/> into <paramref name="output"/> + <paramref name="at"/>, in the ADD's operand order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(byte* conv, byte* residual, byte* output, nint at, int count)
    {
        if (ConvOperand == 0) Add.Apply(conv, residual + at, output + at, count);
        else Add.Apply(residual + at, conv, output + at, count);
    }
}

/// <summary>
/// The fused pass, guarded: the arena may place the ADD's output over the convolution's input (whose lifetime ends at
/// the convolution in the unfused plan). Exactly over it, a pointwise convolution with Cin = Cout runs fused (each work
/// item reads its pixels before it writes the same bytes); any other overlap with the input would be overwritten while
/// other tiles still read it, and the two nodes run apart, as planned. The output exactly over the residual is safe
/// (each element is read before it is written); any other overlap with it runs them apart too. A convolution split
/// into channel groups (few tiles, many channels, more than one thread) also runs apart.
/// </summary>
internal sealed unsafe class ResidualAddFusedNode(ICpuCompiledNode fused, IResidualAddSource conv, ICpuCompiledNode add,
    Tensor residual, Tensor output, int nodes) : ICpuCompiledNode
{
    private enum Mode { Unfused, Fused, OverInput }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (Plan() != Mode.Unfused && !conv.SplitsChannels(pool))
        {
            fused.Run(pool);
            return;
        }
        conv.Run(pool);
        add.Run(pool);
    }

    /// <summary>For tests: the partition nodes this node covers (the convolution, the ADD and, for a float ADD, maybe its RELU).</summary>
    internal int Nodes => nodes;

    /// <summary>For tests: the convolution node that computes the ADD in its pass.</summary>
    internal IResidualAddSource Producer => conv;

    /// <summary>For tests: whether the arena lets this node run fused.</summary>
    internal bool RunsFused => Plan() != Mode.Unfused;

    /// <summary>For tests: whether the fused pass writes exactly over the convolution's input.</summary>
    internal bool RunsOverInput => Plan() == Mode.OverInput;

    [MethodImpl(JitHints.Hot)]
    private Mode Plan()
    {
        byte* o = QuantizedConv.Pointer(output.WritableBytes);
        long bytes = output.ByteSize;
        byte* r = QuantizedConv.Pointer(residual.Bytes);
        if (!(o == r || TensorData.Disjoint(o, bytes, r, bytes))) return Mode.Unfused;
        byte* x = QuantizedConv.Pointer(conv.Input.Bytes);
        if (TensorData.Disjoint(o, bytes, x, conv.Input.ByteSize)) return Mode.Fused;
        return o == x && conv.CanRunOverInput ? Mode.OverInput : Mode.Unfused;
    }
}
