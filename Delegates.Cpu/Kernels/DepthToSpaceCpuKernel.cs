using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// DEPTH_TO_SPACE, any dtype, NHWC (elements moved as bytes): out[n, h·b + by, w·b + bx, c] = in[n, h, w, (by·b + bx)·C' + c] (TFLite's layout).
/// For fixed (n, h, by, w) the b·C' values of bx = 0..b−1 are contiguous on both sides: one copy each.
/// </summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceCpuKernel : CpuKernel<DepthToSpaceParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthToSpace];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.DepthToSpace).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, DepthToSpaceParams p) =>
        new DepthToSpaceNode(node.Inputs[0]!, node.Outputs[0], p.BlockSize, p.ElementSize);

    private sealed unsafe class DepthToSpaceNode(Tensor input, Tensor output, int block, int size) : ICpuCompiledNode
    {
        private readonly int _rows = input.Dim(0) * input.Dim(1);
        private readonly int _width = input.Dim(2);
        private readonly int _inDepth = input.Dim(3) * size;    // bytes
        private readonly int _outDepth = output.Dim(3) * size;  // bytes

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* source = Elements.Read(input);
            byte* destination = Elements.Write(output);
            int run = block * _outDepth;                 // bx = 0..b−1, all channels
            long outRow = (long)_width * block * _outDepth; // one output row (h·b + by)
            for (int row = 0; row < _rows; row++)        // (n, h)
            {
                byte* inRow = source + (long)row * _width * _inDepth;
                byte* outBlock = destination + (long)row * block * outRow;
                for (int by = 0; by < block; by++)
                for (int w = 0; w < _width; w++)
                    Elements.Copy(inRow + (long)w * _inDepth + by * run, outBlock + by * outRow + (long)w * run, run);
            }
        }
    }
}
