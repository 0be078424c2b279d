using Accel.Building;

namespace Accel.Optimize;

/// <summary>
/// Stores float32 constants the way TFLite models ship them: as FLOAT16 constants widened by DEQUANTIZE (the MediaPipe
/// layout), and/or in TFLite's sparse format expanded by DENSIFY. The decoding operators run once, at load, in TFLite
/// and in Accel; they are placed first in the operator list.
/// </summary>
internal static class WeightEncoding
{
    /// <summary>Rewrites dense float32 constant <paramref name="tensor"/>; the tensor becomes the decoders' output.</summary>
    /// <param name="block">With <paramref name="sparse"/>: blocks of this many elements along the last dimension are
    /// stored or skipped whole (<see cref="EncodeBlockCsr"/>) when the dimension is a multiple of it; 1 = per element.</param>
    public static void Encode(EditableGraph g, int tensor, bool float16, bool sparse, List<GraphOperator> decoders, int block = 1)
    {
        var t = g.Tensors[tensor];
        if (!float16 && !sparse) return;
        var values = t.FloatValues();
        var storedType = float16 ? TensorType.Float16 : TensorType.Float32;
        int source;
        if (sparse)
        {
            var (sparsity, bytes) = block > 1 && t.Shape.Length > 0 && t.Shape[^1] % block == 0
                ? EncodeBlockCsr(storedType, t.Shape, values, block)
                : ModelBuilder.EncodeCsrLastDimension(storedType, t.Shape, values);
            source = g.AddTensor(new GraphTensor { Name = t.Name + (float16 ? "_sparse_fp16" : "_sparse"), Type = storedType, Shape = t.Shape, Data = bytes, Sparsity = sparsity });
            if (float16)
            {
                int dense16 = g.AddTensor(new GraphTensor { Name = t.Name + "_fp16", Type = TensorType.Float16, Shape = t.Shape });
                decoders.Add(new GraphOperator { Code = new OperatorCode(BuiltinOperator.Densify, null, 1), Inputs = [source], Outputs = [dense16] });
                source = dense16;
            }
            else
            {
                decoders.Add(new GraphOperator { Code = new OperatorCode(BuiltinOperator.Densify, null, 1), Inputs = [source], Outputs = [tensor] });
                t.Data = null;
                return;
            }
        }
        else
        {
            var halves = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(halves.AsSpan(2 * i), BitConverter.HalfToUInt16Bits((Half)values[i]));
            source = g.AddTensor(new GraphTensor { Name = t.Name + "_fp16", Type = TensorType.Float16, Shape = t.Shape, Data = halves });
        }
        // DEQUANTIZE version 3 reads FLOAT16, as in the MediaPipe models.
        decoders.Add(new GraphOperator { Code = new OperatorCode(BuiltinOperator.Dequantize, null, 3), Inputs = [source], Outputs = [tensor] });
        t.Data = null;
    }

    /// <summary>
    /// TFLite's block-sparse layout with 1×B blocks along the last dimension (as the converter writes 1×4 weights):
    /// block_map = [rank − 1]; levels = every dimension DENSE except the last, which is SPARSE_CSR over its
    /// size / B blocks, then a DENSE level of size B (the block's elements); identity traversal order. A block is stored
    /// (all B values) when any of its elements has non-zero bits.
    /// </summary>
    public static (SparsityParameters Sparsity, byte[] Values) EncodeBlockCsr(TensorType type, int[] shape, float[] dense, int block)
    {
        int rank = shape.Length;
        int columns = shape[^1], blocksPerRow = columns / block;
        int rows = dense.Length / columns;
        int size = type == TensorType.Float16 ? 2 : 4;
        var segments = new int[rows + 1];
        var indices = new List<int>();
        var bytes = new List<byte>();
        var element = new byte[size];
        for (int r = 0; r < rows; r++)
        {
            for (int b = 0; b < blocksPerRow; b++)
            {
                int start = r * columns + b * block;
                bool any = false;
                for (int i = start; i < start + block; i++) any |= BitConverter.SingleToInt32Bits(dense[i]) != 0;
                if (!any) continue;
                indices.Add(b);
                for (int i = start; i < start + block; i++)
                {
                    if (type == TensorType.Float16)
                        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(element, BitConverter.HalfToUInt16Bits((Half)dense[i]));
                    else
                        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(element, dense[i]);
                    bytes.AddRange(element);
                }
            }
            segments[r + 1] = indices.Count;
        }
        var metadata = new SparseDimension[rank + 1];
        for (int d = 0; d < rank - 1; d++) metadata[d] = new SparseDimension(DimensionType.Dense, shape[d], [], []);
        metadata[rank - 1] = new SparseDimension(DimensionType.SparseCsr, blocksPerRow, segments, indices.ToArray());
        metadata[rank] = new SparseDimension(DimensionType.Dense, block, [], []);
        return (new SparsityParameters(Enumerable.Range(0, rank + 1).ToArray(), [rank - 1], metadata), bytes.ToArray());
    }

    /// <summary>The dense float32 constants that operators read (candidates for encoding).</summary>
    public static IEnumerable<int> ConsumedFloatConstants(EditableGraph g)
    {
        var seen = new HashSet<int>();
        foreach (var op in g.Operators)
            foreach (int i in op.Inputs)
                if (i >= 0 && g.Tensors[i] is { IsConstant: true, Type: TensorType.Float32, Sparsity: null } && seen.Add(i))
                    yield return i;
    }

    /// <summary>Puts <paramref name="decoders"/> before every other operator.</summary>
    public static void Prepend(EditableGraph g, List<GraphOperator> decoders) => g.Operators.InsertRange(0, decoders);
}
