using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// PADV2, any dtype: the output filled with the pad value (constant_values' element, or zero bytes), then every input
/// row — the innermost padded dimension with the unpadded dimensions after it merged in, so NHWC spatial padding moves
/// whole W·C rows — copied to its place as one block.
/// </summary>
[OpCodes(BuiltinOperator.PadV2)]
internal sealed class PadV2CpuKernel : CpuKernel<PadV2Params>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.PadV2];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.PadV2).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, PadV2Params p) =>
        new PadV2Node(node.Inputs[0]!, p.HasValue ? node.Inputs[2] : null, node.Outputs[0], p);

    private sealed unsafe class PadV2Node : ICpuCompiledNode
    {
        private readonly Tensor _input, _output;
        private readonly Tensor? _value;
        private readonly int _size;
        private readonly int[] _inDims;       // input dimensions before the row
        private readonly long[] _outStrides;  // output strides (elements) of those dimensions
        private readonly long _rowOffset;     // output offset of input row 0 (the leading paddings)
        private readonly long _row;           // elements per row
        private readonly long _rows;

        public PadV2Node(Tensor input, Tensor? value, Tensor output, PadV2Params p)
        {
            _input = input;
            _value = value;
            _output = output;
            _size = p.ElementSize;
            int rank = input.Rank;
            int last = rank - 1;
            while (last > 0 && p.Before[last] == 0 && p.After[last] == 0) last--;
            long block = 1;
            for (int d = last + 1; d < rank; d++) block *= input.Dim(d);
            _inDims = new int[Math.Max(last, 0)];
            _outStrides = new long[Math.Max(last, 0)];
            long stride = rank == 0 ? 1 : output.Dim(last) * block;
            _rowOffset = rank == 0 ? 0 : p.Before[last] * block;
            for (int d = last - 1; d >= 0; d--)
            {
                _inDims[d] = input.Dim(d);
                _outStrides[d] = stride;
                _rowOffset += p.Before[d] * stride;
                stride *= output.Dim(d);
            }
            _row = rank == 0 ? 1 : input.Dim(last) * block;
            _rows = _row == 0 ? 0 : input.ElementCount / _row;
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* destination = Elements.Write(_output);
            long total = _output.ElementCount;
            if (_value is null) new Span<byte>(destination, checked((int)(total * _size))).Clear();
            else Elements.Fill(_size, Elements.Read(_value), destination, total);
            byte* source = Elements.Read(_input);
            int outer = _inDims.Length;
            Span<int> coordinate = stackalloc int[Math.Max(outer, 1)];
            coordinate.Clear();
            long to = _rowOffset;
            long rowBytes = _row * _size;
            for (long r = 0; r < _rows; r++)
            {
                Elements.Copy(source + r * rowBytes, destination + to * _size, rowBytes);
                for (int d = outer - 1; d >= 0; d--)
                {
                    to += _outStrides[d];
                    if (++coordinate[d] < _inDims[d]) break;
                    to -= _outStrides[d] * _inDims[d];
                    coordinate[d] = 0;
                }
            }
        }
    }
}
