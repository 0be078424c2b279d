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
    public static void Encode(EditableGraph g, int tensor, bool float16, bool sparse, List<GraphOperator> decoders)
    {
        var t = g.Tensors[tensor];
        if (!float16 && !sparse) return;
        var values = t.FloatValues();
        var storedType = float16 ? TensorType.Float16 : TensorType.Float32;
        int source;
        if (sparse)
        {
            var (sparsity, bytes) = ModelBuilder.EncodeCsrLastDimension(storedType, t.Shape, values);
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
