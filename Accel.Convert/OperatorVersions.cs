namespace Accel.Conversion;

/// <summary>One operator input or output as TFLite's op signature sees it; null for an omitted optional input
/// (TFLite's kTfLiteNoType).</summary>
internal sealed record TensorSpec(TensorType Type, int[] Shape, bool IsConst);

/// <summary>
/// The builtin version TFLite's converter writes for an operator, from its options and its tensors' types and
/// shapes: <c>GetBuiltinOperatorVersion</c> in tensorflow/lite/tools/versioning/op_version.cc (with the extra
/// signature facts op_signature.cc derives), for the tensor types this converter emits (float32, int32, int64, bool).
/// Quantized branches (int8/int16/int4, hybrid weights) are not here: the converter writes float models only.
/// </summary>
internal static class OperatorVersions
{
    public static int Of(BuiltinOperator op, OperatorOptions? options, IReadOnlyList<TensorSpec?> inputs, IReadOnlyList<TensorSpec?> outputs)
    {
        TensorType In(int i) => i < inputs.Count && inputs[i] is { } t ? t.Type : (TensorType)(-1);
        int Rank(int i) => i < inputs.Count && inputs[i] is { } t ? t.Shape.Length : 0;
        switch (op)
        {
            case BuiltinOperator.Conv2D:
                // op_signature.cc: grouped when the input's channels (NHWC dim 3) differ from the filter's.
                return inputs.Count > 1 && inputs[0] is { Shape.Length: 4 } x && inputs[1] is { Shape.Length: 4 } f && x.Shape[3] != f.Shape[3] ? 6 : 1;
            case BuiltinOperator.DepthwiseConv2D:
                return options is DepthwiseConv2DOptions { DilationW: not 1 } or DepthwiseConv2DOptions { DilationH: not 1 } ? 2 : 1;
            case BuiltinOperator.FullyConnected:
            {
                if (inputs.Count == 2) return 6; // no bias input at all (an omitted one, -1, still counts)
                var fc = options as FullyConnectedOptions;
                if (fc is { KeepNumDims: true }) return 5;
                if (fc is { WeightsFormat: not 0 }) return 2;
                return 1;
            }
            case BuiltinOperator.Gather:
                if (options is GatherOptions { BatchDims: not 0 }) return 5;
                return In(0) == TensorType.Bool ? 3 : 1;
            case BuiltinOperator.Mul:
                return In(0) == TensorType.Int64 ? 5 : 1;
            case BuiltinOperator.Add:
                return In(0) == TensorType.Int64 ? 4 : 1;
            case BuiltinOperator.Sub:
                if (In(0) == TensorType.Int64) return 4;
                return NeedsBroadcast(inputs) && MaxRank(inputs) > 4 ? 3 : 1;
            case BuiltinOperator.Div:
                return NeedsBroadcast(inputs) && MaxRank(inputs) > 4 ? 2 : 1;
            case BuiltinOperator.Maximum:
            case BuiltinOperator.Minimum:
                return NeedsBroadcast(inputs) && MaxRank(inputs) > 4 ? 3 : 1;
            case BuiltinOperator.Transpose:
                if (Rank(0) > 5) return 6;
                if (Rank(0) > 4) return 4;
                return In(0) == TensorType.Bool ? 3 : 1;
            case BuiltinOperator.TransposeConv:
                if (options is TransposeConvOptions { FusedActivation: not ActivationFunctionType.None }) return 4;
                return inputs.Count == 4 && inputs[3] is not null ? 3 : 1;
            case BuiltinOperator.Split:
                return In(1) == TensorType.Int32 ? 3 : 1; // input 0 is the axis
            case BuiltinOperator.StridedSlice:
            {
                var s = options as StridedSliceOptions;
                if (s is { Offset: true }) return 8;
                if (s is { EllipsisMask: not 0 } or { NewAxisMask: not 0 }) return 6;
                if (Rank(0) > 4) return 4;
                return In(0) == TensorType.Bool ? 3 : 1;
            }
            case BuiltinOperator.ResizeBilinear:
                return options is ResizeBilinearOptions { HalfPixelCenters: true } ? 3 : 1;
            case BuiltinOperator.ResizeNearestNeighbor:
                return options is ResizeNearestNeighborOptions { HalfPixelCenters: true } or ResizeNearestNeighborOptions { AlignCorners: true } ? 3 : 1;
            case BuiltinOperator.Pad:
            case BuiltinOperator.PadV2:
                return Rank(0) > 4 ? 4 : 1;
            case BuiltinOperator.SpaceToBatchNd:
            case BuiltinOperator.BatchToSpaceNd:
                return Rank(0) != 4 ? 3 : 1;
            case BuiltinOperator.ArgMax:
            case BuiltinOperator.ArgMin:
                return In(0) == TensorType.Bool ? 3 : 1;
            case BuiltinOperator.Select:
                return Rank(0) == 5 || Rank(1) == 5 || Rank(2) == 5 ? 3 : 1;
            case BuiltinOperator.Abs:
            case BuiltinOperator.Sign:
                return In(0) == TensorType.Int32 ? (op == BuiltinOperator.Abs ? 5 : 2) : 1;
            case BuiltinOperator.Range:
                return In(0) == TensorType.Int64 ? 2 : 1;
            case BuiltinOperator.FloorDiv:
                return In(0) == TensorType.Float32 ? 2 : 1;
            case BuiltinOperator.BroadcastTo:
                // Version 1 was rolled back in TFLite (the builtin code changed); float and integer inputs are 2.
                return 2;
            case BuiltinOperator.Cast:
            {
                TensorType from = In(0), to = outputs.Count > 0 && outputs[0] is { } o ? o.Type : (TensorType)(-1);
                bool Either(TensorType t) => from == t || to == t;
                if (Either(TensorType.Float64) || Either(TensorType.Float16)) return 5;
                if (Either(TensorType.UInt16)) return 4;
                if (Either(TensorType.Int8)) return 3;
                if (Either(TensorType.UInt32)) return 2;
                return 1;
            }
            case BuiltinOperator.Where:
                return In(0) == TensorType.Bool ? 1 : 2;
            default:
                return 1;
        }
    }

    private static bool NeedsBroadcast(IReadOnlyList<TensorSpec?> inputs)
        => inputs.Count >= 2 && !(inputs[0]?.Shape ?? []).SequenceEqual(inputs[1]?.Shape ?? []);

    private static int MaxRank(IReadOnlyList<TensorSpec?> inputs) => inputs.Max(t => t?.Shape.Length ?? 0);
}
