using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// DEPTH_TO_SPACE, float32 NHWC: out[n, h·b + by, w·b + bx, c] = in[n, h, w, (by·b + bx)·C' + c] (TFLite's layout).
/// For fixed (n, h, by, w) the b·C' values of bx = 0..b−1 are contiguous on both sides: one copy each.
/// </summary>
internal sealed class DepthToSpaceOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (NodeChecks.Float32Arity(node, 1, 1, 1) is { } reason) return NodeSupport.Refuse(reason);
        if (node.Options is not DepthToSpaceOptions options) return NodeSupport.Refuse("DEPTH_TO_SPACE has no DepthToSpaceOptions");
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        int b = options.BlockSize;
        if (input.Rank != 4 || output.Rank != 4) return NodeSupport.Refuse("DEPTH_TO_SPACE needs rank-4 input and output");
        if (b < 1 || input.Dim(3) % (b * b) != 0) return NodeSupport.Refuse($"block size {b} does not divide the depth {input.Dim(3)} into b²");
        bool shapeMatches = output.Dim(0) == input.Dim(0) && output.Dim(1) == input.Dim(1) * b &&
                            output.Dim(2) == input.Dim(2) * b && output.Dim(3) == input.Dim(3) / (b * b);
        return shapeMatches ? NodeSupport.Supported
            : NodeSupport.Refuse($"output [{NodeChecks.Format(output.Shape)}] is not the DEPTH_TO_SPACE of [{NodeChecks.Format(input.Shape)}]");
    }

    public ICpuKernel Compile(DelegateNode node) =>
        new DepthToSpaceKernel(node.Inputs[0]!, node.Outputs[0], ((DepthToSpaceOptions)node.Options!).BlockSize);

    private sealed unsafe class DepthToSpaceKernel(Tensor input, Tensor output, int block) : ICpuKernel
    {
        private readonly int _rows = input.Dim(0) * input.Dim(1);
        private readonly int _width = input.Dim(2);
        private readonly int _inDepth = input.Dim(3);
        private readonly int _outDepth = output.Dim(3);

        public void Run(CpuThreadPool pool)
        {
            float* source = TensorData.Read(input);
            float* destination = TensorData.Write(output);
            int run = block * _outDepth;                 // bx = 0..b−1, all channels
            long outRow = (long)_width * block * _outDepth; // one output row (h·b + by)
            for (int row = 0; row < _rows; row++)        // (n, h)
            {
                float* inRow = source + (long)row * _width * _inDepth;
                float* outBlock = destination + (long)row * block * outRow;
                for (int by = 0; by < block; by++)
                for (int w = 0; w < _width; w++)
                    Copy.Floats(inRow + (long)w * _inDepth + by * run, outBlock + by * outRow + (long)w * run, run);
            }
        }
    }
}
