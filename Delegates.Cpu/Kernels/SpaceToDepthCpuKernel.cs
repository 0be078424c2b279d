using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SPACE_TO_DEPTH, any dtype, NHWC (elements moved as bytes): out[n, h, w, (by·b + bx)·C + c] = in[n, h·b + by, w·b + bx, c] (TFLite's layout).
/// For fixed (n, h, w, by) the b·C values of bx = 0..b−1 are contiguous on both sides: one copy each.
/// </summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthCpuKernel : CpuKernel<SpaceToDepthParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SpaceToDepth];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SpaceToDepth).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, SpaceToDepthParams p) =>
        new SpaceToDepthNode(node.Inputs[0]!, node.Outputs[0], p.BlockSize, p.ElementSize);

    private sealed unsafe class SpaceToDepthNode(Tensor input, Tensor output, int block, int size) : ICpuCompiledNode
    {
        private readonly int _rows = output.Dim(0) * output.Dim(1);
        private readonly int _width = output.Dim(2);
        private readonly int _inDepth = input.Dim(3) * size;    // bytes
        private readonly int _outDepth = output.Dim(3) * size;  // bytes

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* source = Elements.Read(input);
            byte* destination = Elements.Write(output);
            int run = block * _inDepth;                      // bx = 0..b−1, all channels
            long inRow = (long)_width * block * _inDepth;    // one input row (h·b + by)
            for (int row = 0; row < _rows; row++)            // (n, h)
            {
                byte* inBlock = source + (long)row * block * inRow;
                byte* outRow = destination + (long)row * _width * _outDepth;
                for (int by = 0; by < block; by++)
                for (int w = 0; w < _width; w++)
                    Elements.Copy(inBlock + by * inRow + (long)w * run, outRow + (long)w * _outDepth + by * run, run);
            }
        }
    }
}
