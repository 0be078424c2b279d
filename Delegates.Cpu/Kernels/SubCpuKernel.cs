using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>SUB, float32 and int32: out = clamp(a − b) with broadcasting; one rounded subtraction per element.</summary>
[OpCodes(BuiltinOperator.Sub)]
internal sealed class SubCpuKernel : BinaryElementwiseKernel<SubOp>, IFusesFollowingClamp, IFusesChannelPad
{
    // The fusion entry points re-implemented here, calling the generic base directly, so that a ReadyToRun build
    // precompiles them and the nodes they build (reached only through the interfaces, they were JIT-compiled at start-up).
    ICpuCompiledNode? IFusesFollowingClamp.CompileWithClamp(DelegateNode node, ActivationRange clamp, Tensor output, ICpuCompiledNode unfused) =>
        CompileWithClamp(node, clamp, output, unfused);

    bool IFusesFollowingClamp.WritesInPlace => WritesInPlace;

    IChannelPaddedPass? IFusesChannelPad.CompileWithChannelPad(DelegateNode node, int paddedOperand, Tensor padInput, int padBefore,
        ActivationRange? clamp, Tensor output) => CompileWithChannelPad(node, paddedOperand, padInput, padBefore, clamp, output);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sub];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryArithmeticParams p) =>
        node.Inputs[0]!.Type == TensorType.Int16 ? new Quantized.Int16BinaryCpuNode(node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, subtract: true) :
        p.QuantizedAdd is not null ? new Quantized.QuantizedBinaryCpuNode(node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, subtract: true, Quantized.QuantizedIsas.Best(false)) :
        node.Inputs[0]!.Type == TensorType.Int32 ? Int32Arithmetic.Compile<Int32SubtractOp>(node, p) : base.Compile(node, p);
}

internal readonly struct SubOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Subtract(a, b);
}
