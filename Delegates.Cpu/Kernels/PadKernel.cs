using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// PAD, float32, constant +0 padding: every output row (the dimensions up to the innermost padded one; the unpadded
/// ones after it form the row's elements) is either entirely padding (+0 fill) or [left zeros | a copied input row |
/// right zeros]. The paddings input must be a constant.
/// </summary>
internal sealed class PadOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (NodeChecks.Float32Arity(node, 1, 2, 1) is { } reason) return NodeSupport.Refuse(reason);
        if (node.Inputs.Count != 2 || node.Inputs[1] is null) return NodeSupport.Refuse("PAD needs a paddings input");
        var paddings = ReadPaddings(node, out reason);
        if (paddings is null) return NodeSupport.Refuse(reason);
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (output.Rank != input.Rank) return NodeSupport.Refuse("PAD output rank differs from the input's");
        for (int d = 0; d < input.Rank; d++)
            if (output.Dim(d) != input.Dim(d) + paddings[2 * d] + paddings[2 * d + 1])
                return NodeSupport.Refuse($"output [{NodeChecks.Format(output.Shape)}] is not the padded input [{NodeChecks.Format(input.Shape)}]");
        return NodeSupport.Supported;
    }

    public ICpuKernel Compile(DelegateNode node)
    {
        var paddings = ReadPaddings(node, out string reason) ?? throw new InvalidOperationException(reason);
        return new PadKernel(node.Inputs[0]!, node.Outputs[0], paddings);
    }

    /// <summary>[before0, after0, before1, after1, …] from a constant int32/int64 [rank, 2] tensor; null when unusable.</summary>
    private static long[]? ReadPaddings(DelegateNode node, out string reason)
    {
        reason = "";
        var t = node.Inputs[1]!;
        int rank = node.Inputs[0]!.Rank;
        if (!t.IsConstant) { reason = "PAD paddings are not a constant"; return null; }
        if (t.Rank != 2 || t.Dim(0) != rank || t.Dim(1) != 2) { reason = $"paddings shape [{NodeChecks.Format(t.Shape)}] is not [{rank},2]"; return null; }
        long[] values = t.Type switch
        {
            TensorType.Int32 => t.Read<int>()[..(2 * rank)].ToArray().Select(v => (long)v).ToArray(),
            TensorType.Int64 => t.Read<long>()[..(2 * rank)].ToArray(),
            _ => [],
        };
        if (values.Length != 2 * rank) { reason = $"paddings dtype {t.Type.ToDisplayName()} is not int32/int64"; return null; }
        if (values.Any(v => v < 0)) { reason = "negative paddings are not supported"; return null; }
        return values;
    }

    private sealed unsafe class PadKernel : ICpuKernel
    {
        private readonly Tensor _input, _output;
        private readonly int[] _outDims;   // output dimensions before the row dimension
        private readonly int[] _before;    // leading padding per outer dimension
        private readonly int[] _inDims;    // input dimensions before the row dimension
        private readonly int _rows;
        private readonly int _outRow, _inRow, _left;
        private readonly bool _outerUnpadded;

        public PadKernel(Tensor input, Tensor output, long[] paddings)
        {
            _input = input;
            _output = output;
            // Trailing dimensions without padding are merged into the innermost padded one, so a row is as long
            // as possible (spatial padding of NHWC copies whole W·C rows, not C-element pieces).
            int rank = input.Rank;
            int last = rank - 1;
            while (last > 0 && paddings[2 * last] == 0 && paddings[2 * last + 1] == 0) last--;
            long block = 1;
            for (int d = last + 1; d < rank; d++) block *= input.Dim(d);
            if (rank == 0)
            {
                _outDims = _before = _inDims = [];
                _outRow = _inRow = 1;
                _rows = 1;
                return;
            }
            _outDims = new int[last];
            _inDims = new int[last];
            _before = new int[last];
            long rows = 1;
            for (int d = 0; d < last; d++)
            {
                _outDims[d] = output.Dim(d);
                _inDims[d] = input.Dim(d);
                _before[d] = (int)paddings[2 * d];
                rows *= _outDims[d];
            }
            _rows = checked((int)rows);
            _outRow = checked((int)(output.Dim(last) * block));
            _inRow = checked((int)(input.Dim(last) * block));
            _left = checked((int)(paddings[2 * last] * block));
            _outerUnpadded = _outDims.AsSpan().SequenceEqual(_inDims);
        }

        public void Run(CpuThreadPool pool)
        {
            float* source = TensorData.Read(_input);
            float* destination = TensorData.Write(_output);
            int outer = _outDims.Length;
            if (_outerUnpadded)
            {
                // Only the row dimension is padded (e.g. NHWC channel padding): input row r is output row r.
                int right = _outRow - _left - _inRow;
                for (int row = 0; row < _rows; row++)
                {
                    float* o = destination + (long)row * _outRow;
                    Copy.Zero(o, _left);
                    Copy.Floats(source + (long)row * _inRow, o + _left, _inRow);
                    Copy.Zero(o + _left + _inRow, right);
                }
                return;
            }
            Span<int> index = stackalloc int[Math.Max(1, outer)];
            index.Clear();
            for (int row = 0; row < _rows; row++)
            {
                float* o = destination + (long)row * _outRow;
                // Input row offset, or −1 when any outer coordinate lies in the padding.
                long inRowIndex = 0;
                for (int d = 0; d < outer; d++)
                {
                    int i = index[d] - _before[d];
                    if ((uint)i >= (uint)_inDims[d]) { inRowIndex = -1; break; }
                    inRowIndex = inRowIndex * _inDims[d] + i;
                }
                if (inRowIndex < 0 || _inRow == 0) Copy.Zero(o, _outRow);
                else
                {
                    Copy.Zero(o, _left);
                    Copy.Floats(source + inRowIndex * _inRow, o + _left, _inRow);
                    Copy.Zero(o + _left + _inRow, _outRow - _left - _inRow);
                }
                for (int d = outer - 1; d >= 0; d--)
                {
                    if (++index[d] < _outDims[d]) break;
                    index[d] = 0;
                }
            }
        }
    }
}
