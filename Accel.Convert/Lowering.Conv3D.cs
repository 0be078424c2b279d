namespace Accel.Conversion;

/// <summary>
/// 3-D Conv without CONV_3D (not in Accel's operator set): a convolution over depth is a sum over the kernel's depth
/// taps k of 2-D convolutions, out[d'] = Σ_k conv2d(in[d'·s + k·dil], W[:, :, k]). In NDHWC each tap is a
/// STRIDED_SLICE of the depth axis (viewed as [N, D, H·W·C], rank 3), a RESHAPE that folds depth into the batch
/// ([N·D', H, W, C]) and one CONV_2D; ADDs sum the taps (the last one carrying a fused activation). Pads are explicit
/// PADs (H/W on the [N·D, H, W, C] view, depth on the rank-3 view), so every op stays rank ≤ 4. Exact up to the order in
/// which the per-tap sums are added.
/// </summary>
internal sealed partial class Lowering
{
    private static readonly int[] Ndhwc = [0, 2, 3, 4, 1];

    private void LowerConv3D(Node n, ConstTensor w)
    {
        var xShape = _g[n.Inputs[0]].Shape!;
        int group = (int)n.Int("group", 1);
        if (group != 1) throw Unsupported(n, $"a grouped 3-D convolution (group {group}): only group 1 is decomposed into CONV_2Ds");
        var geo = ConvGeometry.Of(_g, n);
        if (geo.PadBegin.Any(p => p < 0) || geo.PadEnd.Any(p => p < 0)) throw Unsupported(n, "negative pads");
        int batch = xShape[0], cin = xShape[1], cout = w.Shape[0], kd = w.Shape[2], kh = w.Shape[3], kw = w.Shape[4];
        int[] outShape = ShapeOf(n.Outputs[0]);
        int od = outShape[2], oh = outShape[3], ow = outShape[4];
        string name = n.Outputs[0];
        int x = Get(n.Inputs[0], Ndhwc);
        int d = xShape[2], h = xShape[3], wd = xShape[4];
        // H and W pads on [N·D, H, W, C].
        if (geo.PadBegin[1] + geo.PadEnd[1] + geo.PadBegin[2] + geo.PadEnd[2] > 0)
        {
            int flat = Reshape(x, $"{name}/slices", [batch * d, h, wd, cin]);
            int ph = h + geo.PadBegin[1] + geo.PadEnd[1], pw = wd + geo.PadBegin[2] + geo.PadEnd[2];
            int padded = _mb.AddTensor($"{name}/pad_hw", TensorType.Float32, [batch * d, ph, pw, cin]);
            _mb.AddOperator(BuiltinOperator.Pad, [flat, ConstInt("paddings", [0, 0, geo.PadBegin[1], geo.PadEnd[1], geo.PadBegin[2], geo.PadEnd[2], 0, 0], [4, 2])], [padded]);
            (x, h, wd) = (padded, ph, pw);
        }
        // Depth as the middle axis of [N, D, H·W·C]; depth pads there.
        int plane = h * wd * cin;
        int depthView = Reshape(x, $"{name}/depth", [batch, d, plane]);
        if (geo.PadBegin[0] + geo.PadEnd[0] > 0)
        {
            int pd = d + geo.PadBegin[0] + geo.PadEnd[0];
            int padded = _mb.AddTensor($"{name}/pad_d", TensorType.Float32, [batch, pd, plane]);
            _mb.AddOperator(BuiltinOperator.Pad, [depthView, ConstInt("paddings", [0, 0, geo.PadBegin[0], geo.PadEnd[0], 0, 0], [3, 2])], [padded]);
            (depthView, d) = (padded, pd);
        }
        var (act, output) = FuseActivation(n.Outputs[0]);
        float[] bias = n.Input(2).Length > 0
            ? (_g.ConstOf(n.Input(2)) ?? throw Unsupported(n, "bias computed at run time")).AsFloats()
            : new float[cout];
        var wf = w.AsFloats();
        int sum = -1;
        for (int k = 0; k < kd; k++)
        {
            int first = k * geo.Dilations[0], stride = geo.Strides[0];
            int taps = depthView;
            if (!(first == 0 && stride == 1 && od == d))
            {
                taps = _mb.AddTensor($"{name}/tap{k}", TensorType.Float32, [batch, od, plane]);
                _mb.AddOperator(BuiltinOperator.StridedSlice,
                    [depthView, ConstInt("begin", [0, first, 0]), ConstInt("end", [batch, first + (od - 1) * stride + 1, plane]), ConstInt("strides", [1, stride, 1])],
                    [taps], new StridedSliceOptions(0, 0));
            }
            int images = Reshape(taps, $"{name}/tap{k}_images", [batch * od, h, wd, cin]);
            // OIDHW at depth k → OHWI.
            var f = new float[cout * kh * kw * cin];
            for (int oc = 0; oc < cout; oc++)
                for (int c = 0; c < cin; c++)
                    for (int i = 0; i < kh * kw; i++)
                        f[(oc * kh * kw + i) * cin + c] = wf[((oc * cin + c) * kd + k) * kh * kw + i];
            bool last = k == kd - 1;
            int conv = _mb.AddTensor($"{name}/tap{k}_conv", TensorType.Float32, [batch * od, oh, ow, cout]);
            // The bias rides on tap 0; with one tap the activation fuses into the CONV_2D itself.
            _mb.AddOperator(BuiltinOperator.Conv2D, [images, ConstFloat(n.Name + $"/filter{k}", [cout, kh, kw, cin], f), ConstFloat("bias", [cout], k == 0 ? bias : new float[cout])],
                [conv], new Conv2DOptions(Padding.Valid, geo.Strides[2], geo.Strides[1], kd == 1 ? act : ActivationFunctionType.None, geo.Dilations[2], geo.Dilations[1]));
            if (sum < 0) { sum = conv; continue; }
            int added = _mb.AddTensor($"{name}/sum{k}", TensorType.Float32, [batch * od, oh, ow, cout]);
            _mb.AddOperator(BuiltinOperator.Add, [sum, conv], [added], new AddOptions(last ? act : ActivationFunctionType.None));
            sum = added;
        }
        int o = Out(output, Ndhwc);
        int[] ndhwc = [batch, od, oh, ow, cout];
        _mb.AddOperator(BuiltinOperator.Reshape, [sum, ConstInt("shape", ndhwc)], [o], new ReshapeOptions(ndhwc));
        AfterLayoutBound(output);
    }
}
