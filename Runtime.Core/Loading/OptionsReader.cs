namespace Accel;

/// <summary>Turns a builtin options table into its <see cref="OperatorOptions"/> record (field ids from TFLite's schema).</summary>
internal static class OptionsReader
{
    public static OperatorOptions Read(BuiltinOptionsType type, FlatBufferView.Table t) => type switch
    {
        BuiltinOptionsType.Conv2DOptions => new Conv2DOptions(
            Pad(t, 0), t.GetInt32(1, "stride_w"), t.GetInt32(2, "stride_h"), Act(t, 3),
            t.GetInt32(4, "dilation_w_factor", 1), t.GetInt32(5, "dilation_h_factor", 1)),
        BuiltinOptionsType.DepthwiseConv2DOptions => new DepthwiseConv2DOptions(
            Pad(t, 0), t.GetInt32(1, "stride_w"), t.GetInt32(2, "stride_h"), t.GetInt32(3, "depth_multiplier"), Act(t, 4),
            t.GetInt32(5, "dilation_w_factor", 1), t.GetInt32(6, "dilation_h_factor", 1)),
        BuiltinOptionsType.Pool2DOptions => new Pool2DOptions(
            Pad(t, 0), t.GetInt32(1, "stride_w"), t.GetInt32(2, "stride_h"),
            t.GetInt32(3, "filter_width"), t.GetInt32(4, "filter_height"), Act(t, 5)),
        BuiltinOptionsType.FullyConnectedOptions => new FullyConnectedOptions(
            Act(t, 0), t.GetByte(1, "weights_format"), t.GetBool(2, "keep_num_dims"), t.GetBool(3, "asymmetric_quantize_inputs")),
        BuiltinOptionsType.ConcatenationOptions => new ConcatenationOptions(t.GetInt32(0, "axis"), Act(t, 1)),
        BuiltinOptionsType.AddOptions => new AddOptions(Act(t, 0), t.GetBool(1, "pot_scale_int16", true)),
        BuiltinOptionsType.SubOptions => new SubOptions(Act(t, 0), t.GetBool(1, "pot_scale_int16", true)),
        BuiltinOptionsType.MulOptions => new MulOptions(Act(t, 0)),
        BuiltinOptionsType.DivOptions => new DivOptions(Act(t, 0)),
        BuiltinOptionsType.ReshapeOptions => new ReshapeOptions(t.Has(0) ? t.GetInt32Array(0, "new_shape") : null),
        BuiltinOptionsType.ResizeBilinearOptions => new ResizeBilinearOptions(t.GetBool(2, "align_corners"), t.GetBool(3, "half_pixel_centers")),
        BuiltinOptionsType.ReducerOptions => new ReducerOptions(t.GetBool(0, "keep_dims")),
        BuiltinOptionsType.ArgMaxOptions => new ArgMaxOptions((TensorType)(sbyte)t.GetByte(0, "output_type")),
        BuiltinOptionsType.ArgMinOptions => new ArgMinOptions((TensorType)(sbyte)t.GetByte(0, "output_type")),
        BuiltinOptionsType.OneHotOptions => new OneHotOptions(t.GetInt32(0, "axis")),
        BuiltinOptionsType.DepthToSpaceOptions => new DepthToSpaceOptions(t.GetInt32(0, "block_size")),
        BuiltinOptionsType.SpaceToDepthOptions => new SpaceToDepthOptions(t.GetInt32(0, "block_size")),
        BuiltinOptionsType.SoftmaxOptions => new SoftmaxOptions(t.GetSingle(0, "beta")),
        BuiltinOptionsType.LeakyReluOptions => new LeakyReluOptions(t.GetSingle(0, "alpha")),
        BuiltinOptionsType.GeluOptions => new GeluOptions(t.GetBool(0, "approximate")),
        BuiltinOptionsType.L2NormOptions => new L2NormOptions(Act(t, 0)),
        BuiltinOptionsType.LocalResponseNormalizationOptions => new LocalResponseNormalizationOptions(
            t.GetInt32(0, "radius"), t.GetSingle(1, "bias"), t.GetSingle(2, "alpha"), t.GetSingle(3, "beta")),
        BuiltinOptionsType.TransposeConvOptions => new TransposeConvOptions(
            Pad(t, 0), t.GetInt32(1, "stride_w"), t.GetInt32(2, "stride_h"), Act(t, 3)),
        BuiltinOptionsType.StridedSliceOptions => new StridedSliceOptions(
            t.GetInt32(0, "begin_mask"), t.GetInt32(1, "end_mask"), t.GetInt32(2, "ellipsis_mask"),
            t.GetInt32(3, "new_axis_mask"), t.GetInt32(4, "shrink_axis_mask"), t.GetBool(5, "offset")),
        BuiltinOptionsType.GatherOptions => new GatherOptions(t.GetInt32(0, "axis"), t.GetInt32(1, "batch_dims")),
        BuiltinOptionsType.SplitOptions => new SplitOptions(t.GetInt32(0, "num_splits")),
        BuiltinOptionsType.SplitVOptions => new SplitVOptions(t.GetInt32(0, "num_splits")),
        BuiltinOptionsType.PackOptions => new PackOptions(t.GetInt32(0, "values_count"), t.GetInt32(1, "axis")),
        BuiltinOptionsType.UnpackOptions => new UnpackOptions(t.GetInt32(0, "num"), t.GetInt32(1, "axis")),
        BuiltinOptionsType.SqueezeOptions => new SqueezeOptions(t.Has(0) ? t.GetInt32Array(0, "squeeze_dims") : []),
        BuiltinOptionsType.MirrorPadOptions => new MirrorPadOptions(MirrorMode(t)),
        BuiltinOptionsType.ResizeNearestNeighborOptions => new ResizeNearestNeighborOptions(
            t.GetBool(0, "align_corners"), t.GetBool(1, "half_pixel_centers")),
        BuiltinOptionsType.BatchMatMulOptions => new BatchMatMulOptions(
            t.GetBool(0, "adj_x"), t.GetBool(1, "adj_y"), t.GetBool(2, "asymmetric_quantize_inputs")),
        BuiltinOptionsType.ShapeOptions => new ShapeOptions((TensorType)(sbyte)t.GetByte(0, "out_type")),
        _ => new EmptyOptions(type),
    };

    private static Padding Pad(FlatBufferView.Table t, int id)
    {
        var value = (Padding)(sbyte)t.GetByte(id, "padding");
        if (!Enum.IsDefined(value)) throw new ModelFormatException(t.FieldPath("padding"), $"unknown padding {(int)value}");
        return value;
    }

    private static MirrorPadMode MirrorMode(FlatBufferView.Table t)
    {
        var value = (MirrorPadMode)(sbyte)t.GetByte(0, "mode");
        if (!Enum.IsDefined(value)) throw new ModelFormatException(t.FieldPath("mode"), $"unknown mirror pad mode {(int)value}");
        return value;
    }

    private static ActivationFunctionType Act(FlatBufferView.Table t, int id)
    {
        var value = (ActivationFunctionType)(sbyte)t.GetByte(id, "fused_activation_function");
        if (!Enum.IsDefined(value))
            throw new ModelFormatException(t.FieldPath("fused_activation_function"), $"unknown activation {(int)value}");
        return value;
    }
}
