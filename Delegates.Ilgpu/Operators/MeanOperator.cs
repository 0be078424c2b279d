using Accel.Numerics;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MEAN (float32, constant int32 axes, keep_dims either way): per output element, as the reference, sum = +0,
/// then sum = sum + x over its input elements in the input's row-major order (plain rounded adds), then
/// sum · R(n) with R(n) = SpecMath.ReciprocalOfCount(n) computed on the host (n = 0: +∞, so the result is NaN).
/// Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (neither changes the order);
/// refused when more than four kept or four reduced dimensions remain.
/// </summary>
internal sealed class MeanOperator : IIlgpuOperator
{
    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public NodeSupport Supports(DelegateNode node) =>
        ShapeOf(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        ShapeOf(node, out var shape);
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        long reducedCount = (long)shape.R0 * shape.R1 * shape.R2 * shape.R3;
        var (chunks, chunkSize) = c.Split(total, reducedCount);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, MeanShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
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

    /// <summary>Null when supported (shape filled in), else the refusal.</summary>
    private static string? ShapeOf(DelegateNode node, out MeanShape shape)
    {
        shape = default;
        if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return "MEAN needs an input, axes and one output";
        var input = node.Inputs[0]!;
        var axesTensor = node.Inputs[1]!;
        if (!axesTensor.IsConstant || axesTensor.Type != TensorType.Int32 || axesTensor.Rank > 1)
            return "MEAN: axes must be a constant int32 scalar or vector";
        int[] axes = axesTensor.Read<int>()[..(int)axesTensor.ElementCount].ToArray();
        int rank = input.Rank;
        var reduced = new bool[rank];
        foreach (int axis in axes)
        {
            if (axis < -rank || axis >= rank) return $"MEAN: axis {axis} is out of range for rank {rank}";
            reduced[axis < 0 ? axis + rank : axis] = true;
        }
        long count = 1, kept = 1;
        for (int d = 0; d < rank; d++)
            if (reduced[d]) count *= input.Dim(d);
            else kept *= input.Dim(d);
        if (count > SpecMath.MaxExactCount) return "MEAN: more than 2^24 elements per output";
        if (node.Outputs[0].ElementCount != kept)
            return $"MEAN: output {FusedClamp.Format(node.Outputs[0].Shape)} does not match the reduction of {FusedClamp.Format(input.Shape)}";

        // Runs of dimensions of one kind, size-1 dimensions dropped, each with its input stride.
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
        runs.Reverse();
        var keptRuns = runs.Where(r => !r.Reduced).ToArray();
        var reducedRuns = runs.Where(r => r.Reduced).ToArray();
        if (keptRuns.Length > 4 || reducedRuns.Length > 4)
            return $"MEAN: {keptRuns.Length} kept and {reducedRuns.Length} reduced dimension runs; at most 4 of each";
        if (stride > int.MaxValue) return "MEAN: input too large";
        // Right-aligned to four: leading runs of size 1, stride 0.
        var k = new (int Size, int Stride)[4];
        var r = new (int Size, int Stride)[4];
        for (int i = 0; i < 4; i++)
        {
            int ki = i - (4 - keptRuns.Length), ri = i - (4 - reducedRuns.Length);
            k[i] = ki >= 0 ? (keptRuns[ki].Size, (int)keptRuns[ki].Stride) : (1, 0);
            r[i] = ri >= 0 ? (reducedRuns[ri].Size, (int)reducedRuns[ri].Stride) : (1, 0);
        }
        shape = new MeanShape
        {
            K0 = k[0].Size, K1 = k[1].Size, K2 = k[2].Size, K3 = k[3].Size,
            KS0 = k[0].Stride, KS1 = k[1].Stride, KS2 = k[2].Stride, KS3 = k[3].Stride,
            R0 = r[0].Size, R1 = r[1].Size, R2 = r[2].Size, R3 = r[3].Size,
            RS0 = r[0].Stride, RS1 = r[1].Stride, RS2 = r[2].Stride, RS3 = r[3].Stride,
            Reciprocal = count == 0 ? float.PositiveInfinity : SpecMath.ReciprocalOfCount((int)count),
        };
        return null;
    }
}

/// <summary>MEAN's kept (K, output order) and reduced (R, summation order) dimension runs with their input strides.</summary>
internal struct MeanShape
{
    public int K0, K1, K2, K3, KS0, KS1, KS2, KS3;
    public int R0, R1, R2, R3, RS0, RS1, RS2, RS3;
    public float Reciprocal;
}
