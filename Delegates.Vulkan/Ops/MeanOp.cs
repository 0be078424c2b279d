using System.Runtime.InteropServices;
using Accel.Numerics;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// MEAN on float32 (Shaders/mean.comp), constant int32 axes (negative count from the end, duplicates ignored),
/// keep_dims either way. Per output element, as the reference: sum = +0, then sum = sum + x over its input elements
/// in the input's row-major order (one invocation, plain rounded adds), then sum · R(n) with
/// R(n) = SpecMath.ReciprocalOfCount(n) computed here and passed as a push constant (n = 0: +∞, giving NaN like the
/// reference). Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (neither changes
/// the summation order); refused when more than four kept or four reduced runs remain.
/// </summary>
internal sealed class MeanOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Mean.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Geometry(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var push);
        builder.DispatchElements("mean",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>The shader's push constants; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push push)
    {
        push = default;
        if (VulkanOpChecks.Arity(node, 2, 2, 1) is { } arity) return arity;
        var input = node.Inputs[0]!;
        var axesTensor = node.Inputs[1]!;
        if (VulkanOpChecks.Float32(node, input, node.Outputs[0]) is { } dtype) return dtype;
        if (!axesTensor.IsConstant || axesTensor.Type != TensorType.Int32 || axesTensor.Rank > 1)
            return "MEAN: axes must be a constant int32 scalar or vector";
        var axes = axesTensor.Read<int>();
        if (axes.Length < axesTensor.ElementCount) return "MEAN: axes hold fewer values than their shape says";
        int rank = input.Rank;
        var reduced = new bool[rank];
        foreach (int axis in axes[..(int)axesTensor.ElementCount])
        {
            if (axis < -rank || axis >= rank) return $"MEAN: axis {axis} is out of range for rank {rank}";
            reduced[axis < 0 ? axis + rank : axis] = true;
        }
        long count = 1, kept = 1;
        for (int d = 0; d < rank; d++)
            if (reduced[d]) count *= input.Dim(d);
            else kept *= input.Dim(d);
        if (count > SpecMath.MaxExactCount) return "MEAN: more than 2^24 elements per output";
        if (node.Outputs[0].ElementCount != kept) return "MEAN: output size does not match the reduction";
        if (kept > uint.MaxValue) return "MEAN: output too large";

        // Runs of neighbouring dimensions of one kind (size-1 dimensions dropped), each with its input stride.
        var runs = new List<(int Size, long Stride, bool Reduced)>();
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = input.Dim(d);
            if (size != 1)
            {
                if (runs.Count > 0 && runs[^1].Reduced == reduced[d] && runs[^1].Stride * runs[^1].Size == stride)
                    runs[^1] = (runs[^1].Size * size, runs[^1].Stride, reduced[d]);
                else
                    runs.Add((size, stride, reduced[d]));
            }
            stride *= size;
        }
        if (stride > int.MaxValue) return "MEAN: input too large";
        runs.Reverse();
        var keptRuns = runs.Where(r => !r.Reduced).ToArray();
        var reducedRuns = runs.Where(r => r.Reduced).ToArray();
        if (keptRuns.Length > 4 || reducedRuns.Length > 4)
            return $"MEAN: {keptRuns.Length} kept and {reducedRuns.Length} reduced runs of dimensions remain after merging; at most 4 of each are supported";
        // Right-aligned to four: leading runs of size 1, stride 0.
        var k = new (int Size, int Stride)[4];
        var r = new (int Size, int Stride)[4];
        for (int i = 0; i < 4; i++)
        {
            int ki = i - (4 - keptRuns.Length), ri = i - (4 - reducedRuns.Length);
            k[i] = ki >= 0 ? (keptRuns[ki].Size, (int)keptRuns[ki].Stride) : (1, 0);
            r[i] = ri >= 0 ? (reducedRuns[ri].Size, (int)reducedRuns[ri].Stride) : (1, 0);
        }
        push = new Push
        {
            K0 = k[0].Size, K1 = k[1].Size, K2 = k[2].Size, K3 = k[3].Size,
            KS0 = k[0].Stride, KS1 = k[1].Stride, KS2 = k[2].Stride, KS3 = k[3].Stride,
            R0 = r[0].Size, R1 = r[1].Size, R2 = r[2].Size, R3 = r[3].Size,
            RS0 = r[0].Stride, RS1 = r[1].Stride, RS2 = r[2].Stride, RS3 = r[3].Stride,
            Total = (uint)kept,
            Reciprocal = count == 0 ? float.PositiveInfinity : SpecMath.ReciprocalOfCount((int)count),
        };
        return null;
    }

    /// <summary>mean.comp's push constants (std430: four ivec4, then total and the reciprocal).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public uint Total;
        public float Reciprocal;
    }
}
