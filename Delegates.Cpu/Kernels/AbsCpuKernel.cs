using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// ABS, float32 (the sign bit cleared, as MathF.Abs: −0 → +0, NaN keeps its payload) and int32 (<c>x &lt; 0 ? −x : x</c>
/// wrapping: int32.MinValue stays int32.MinValue), as the reference. int8: the definition's 256-entry table; int16: a
/// 65,536-entry table filled at compile time with the reference's element formula (quantized rescale, or the wrapping
/// abs of unquantized int16), so every element is the reference's by construction.
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Unary<float, AbsFloat32Op>(node),
        TensorType.Int8 => new Quantized.ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray()),
        TensorType.Int16 => new Quantized.Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], Int16Table(p.Int16Abs)),
        _ => LaneKernels.Unary<int, AbsInt32Op>(node),
    };

    /// <summary>The output for every int16 input bits pattern (index = the value's bits as ushort).</summary>
    private static short[] Int16Table(QuantizedAbsParams? rescale)
    {
        var table = new short[65536];
        for (int v = short.MinValue; v <= short.MaxValue; v++)
            table[(ushort)v] = rescale is { } r ? (short)r.Apply(v, 0, 0, short.MinValue, short.MaxValue) : unchecked((short)Math.Abs(v));
        return table;
    }
}

internal readonly struct AbsFloat32Op : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => MathF.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => (x.AsInt32() & Vector128.Create(int.MaxValue)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => (x.AsInt32() & Vector256.Create(int.MaxValue)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => (x.AsInt32() & Vector512.Create(int.MaxValue)).AsSingle();
}

/// <summary>x &lt; 0 ? 0 − x : x, wrapping (no Math.Abs: it throws on int.MinValue).</summary>
internal readonly struct AbsInt32Op : ILaneOp<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Apply(int x) => x < 0 ? unchecked(-x) : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<int>.Zero), Vector128<int>.Zero - x, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<int>.Zero), Vector256<int>.Zero - x, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<int>.Zero), Vector512<int>.Zero - x, x);
}
