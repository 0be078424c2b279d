using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>DEPTH_TO_SPACE's validated block size (DCR order: depth index (dy·bs + dx)·Cout + c).</summary>
public sealed record DepthToSpaceParams(int BlockSize, int ElementSize) : OpParams;

/// <summary>DEPTH_TO_SPACE, any fixed-size dtype, NHWC; TFLite's depth_to_space.cc Prepare.</summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceDefinition : OpDefinition<DepthToSpaceParams>
{
    public override OpId Op => BuiltinOperator.DepthToSpace;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8];

    protected override DepthToSpaceParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var options = context.OptionsAs<DepthToSpaceOptions>();
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectRank(input, 4, "input");
        context.ExpectType(output, input.Type, "output");
        int elementSize = input.Type.ElementSize();
        if (elementSize == 0)
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which DEPTH_TO_SPACE does not support");
        QuantizedDataMovement.ExpectSameQuantization(context, input, output);
        int blockSize = options.BlockSize;
        if (blockSize < 1) throw context.Error($"block_size must be at least 1, is {blockSize}");
        long blockArea = (long)blockSize * blockSize;
        if (input.Dim(3) % blockArea != 0)
            throw context.Error($"input depth {input.Dim(3)} is not divisible by block_size² = {blockArea}");
        long height = (long)input.Dim(1) * blockSize, width = (long)input.Dim(2) * blockSize;
        if (height > int.MaxValue || width > int.MaxValue)
            throw context.Error($"block_size {blockSize} makes the output {height}x{width}, beyond a 32-bit size");
        context.SetOutputShape(0, [input.Dim(0), (int)height, (int)width, (int)(input.Dim(3) / blockArea)]);
        return new DepthToSpaceParams(blockSize, elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}
