using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// MAX_POOL_2D on float32 NHWC (Cl/pool.cl): the reference's NaN-sticky maximum over the in-bounds taps in (ky, kx)
/// order (first tap, then <c>v &gt; m || isNaN(v)</c>), then the fused-activation clamp. Only comparisons.
/// </summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPool2DKernel : OpenClKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MaxPool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, Pool2DParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is not null) QuantizedKernels.Pool(node, p, average: false, builder);
        else Float32(node, p, builder);
    }

    private static void Float32(DelegateNode node, Pool2DParams p, OpenClPartitionBuilder builder) =>
        builder.Dispatch("max_pool_2d", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], PoolArgs.Of(node, p.Geometry),
            node.Outputs[0].ElementCount, file: "pool");
}

/// <summary>
/// AVERAGE_POOL_2D on float32 NHWC (Cl/pool.cl): sum = +0, sum = sum + v over the in-bounds taps in (ky, kx) order,
/// then sum · R(count) with the definition's table R (SpecMath.ReciprocalOfCount) uploaded, then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePool2DKernel : OpenClKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AveragePool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, Pool2DParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is not null)
        {
            QuantizedKernels.Pool(node, p, average: true, builder);
            return;
        }
        var args = PoolArgs.Of(node, p.Geometry);
        // Only the counts a window can have: at most filterH·filterW, and never above the input's extent.
        int maxCount = Math.Min(args.FilterHeight, args.InputHeight) * Math.Min(args.FilterWidth, args.InputWidth);
        var reciprocals = p.ReciprocalOfCount.Span[..(maxCount + 1)];
        builder.Dispatch("average_pool_2d", [builder.Buffer(node.Inputs[0]!), builder.Table(reciprocals), builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "pool");
    }
}

/// <summary>pool.cl's PoolArgs, from the tensors and the definition's <see cref="Pool2DGeometry"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PoolArgs
{
    public int InputBatches, InputHeight, InputWidth, Depth;
    public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
    public int FilterHeight, FilterWidth, StrideH, StrideW;
    public int PadTop, PadLeft;
    public float Lo, Hi;

    public static PoolArgs Of(DelegateNode node, Pool2DGeometry g)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        return new PoolArgs
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            FilterHeight = g.FilterH, FilterWidth = g.FilterW, StrideH = g.StrideH, StrideW = g.StrideW,
            PadTop = g.PadTop, PadLeft = g.PadLeft, Lo = g.Activation.Min, Hi = g.Activation.Max,
        };
    }
}
