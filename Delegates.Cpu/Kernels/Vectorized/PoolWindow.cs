using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// A pool node as the CPU kernels walk it: the definition's window (<see cref="Pool2DGeometry"/>) over the node's
/// NHWC input and output, with its fused-activation clamp, split over the pool by output rows (b, oy).
/// </summary>
internal sealed class PoolWindow
{
    public PoolWindow(DelegateNode node, Pool2DParams p)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        Geometry = p.Geometry;
        Clamp = new VectorClamp(p.Geometry.Activation);
        Batches = input.Dim(0);
        Height = input.Dim(1);
        Width = input.Dim(2);
        Depth = input.Dim(3);
        OutputHeight = output.Dim(1);
        OutputWidth = output.Dim(2);
        // The node's element ops (output elements × window taps) per output row, against 64K per thread hand-off.
        long rows = Math.Max(1L, (long)Batches * OutputHeight);
        long perRow = Math.Max(1L, node.Cost.ElementOps / rows);
        MinRowsPerThread = (int)Math.Clamp(64 * 1024 / perRow, 1, int.MaxValue);
    }

    public Pool2DGeometry Geometry { get; }
    public VectorClamp Clamp { get; }
    public int Batches { get; }
    public int Height { get; }
    public int Width { get; }
    public int Depth { get; }
    public int OutputHeight { get; }
    public int OutputWidth { get; }

    /// <summary>Output rows (b, oy) per thread below which a hand-off is not worth it.</summary>
    public int MinRowsPerThread { get; }
}
