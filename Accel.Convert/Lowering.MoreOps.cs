namespace Accel.Conversion;

/// <summary>Lowerings that rebuild an ONNX op TFLite has no direct form for out of exact data movement
/// (edge padding, CRD depth-to-space) and LRN's mapping onto LOCAL_RESPONSE_NORMALIZATION.</summary>
internal sealed partial class Lowering
{
    private const string NoConv3D = "a 3-D convolution: TFLite's CONV_3D is not in Accel's operator set, so the converter does not emit it";

    /// <summary>
    /// Pad mode=edge: TFLite's MIRROR_PAD reflects or mirrors, never repeats the border, so each padded stored axis
    /// is one GATHER with constant indices 0,…,0, 0..n−1, n−1,…,n−1 (exact: it only copies elements).
    /// </summary>
    private void LowerEdgePad(Node n, int x, int[] paddings, int[] perm)
    {
        var stored = Shapes.Permute(_g[n.Inputs[0]].Shape!, perm);
        var axes = Enumerable.Range(0, stored.Length).Where(i => paddings[2 * i] != 0 || paddings[2 * i + 1] != 0).ToArray();
        if (axes.Length == 0)
        {
            int same = Out(n.Outputs[0], perm);
            _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", stored)], [same], new ReshapeOptions(stored));
            return;
        }
        if (axes.Any(i => stored[i] == 0)) throw Unsupported(n, "edge padding of an empty axis");
        var shape = (int[])stored.Clone();
        for (int k = 0; k < axes.Length; k++)
        {
            int i = axes[k], before = paddings[2 * i], after = paddings[2 * i + 1], size = stored[i];
            var indices = new int[before + size + after];
            for (int j = 0; j < indices.Length; j++) indices[j] = Math.Clamp(j - before, 0, size - 1);
            shape[i] = indices.Length;
            int o = k == axes.Length - 1 ? Out(n.Outputs[0], perm) : _mb.AddTensor($"{n.Outputs[0]}/edge{k}", TypeOf(_g[n.Inputs[0]].Type), shape);
            _mb.AddOperator(BuiltinOperator.Gather, [x, ConstInt("edge_indices", indices)], [o], new GatherOptions(i));
            x = o;
        }
    }

    /// <summary>
    /// DepthToSpace mode=CRD reads channel c·b²+i·b+j for output channel c at block offset (i, j); TFLite's
    /// DEPTH_TO_SPACE is DCR, reading (i·b+j)·C'+c. A GATHER over the NHWC channels reorders them into DCR order
    /// first (exact: it only moves elements).
    /// </summary>
    private int CrdToDcr(Node n, int x, int block)
    {
        var shape = Shapes.Permute(_g[n.Inputs[0]].Shape!, Nhwc);
        int channels = shape[3], b2 = block * block;
        if (block < 1 || channels % b2 != 0) throw Unsupported(n, $"blocksize {block}: {channels} channels are not a multiple of {b2}");
        int outChannels = channels / b2;
        var indices = new int[channels];
        for (int k = 0; k < channels; k++) indices[k] = k % outChannels * b2 + k / outChannels;
        int t = _mb.AddTensor(n.Outputs[0] + "/dcr_order", TensorType.Float32, shape);
        _mb.AddOperator(BuiltinOperator.Gather, [x, ConstInt("crd_to_dcr", indices)], [t], new GatherOptions(3));
        return t;
    }

    /// <summary>
    /// LRN: y = x / (bias + alpha/size · Σ x²)^beta over channels c−⌊(size−1)/2⌋ … c+⌈(size−1)/2⌉.
    /// LOCAL_RESPONSE_NORMALIZATION sums over c−r … c+r with its alpha unscaled, so an odd size maps to r = (size−1)/2
    /// and alpha/size (one float32 division, as ONNX Runtime computes it); an even size's window is lopsided, which
    /// TFLite's symmetric radius cannot express.
    /// </summary>
    private void LowerLrn(Node n)
    {
        long size = n.Int("size", 0);
        if (size < 1) throw Unsupported(n, $"size {size} (must be at least 1)");
        if (size % 2 == 0) throw Unsupported(n, $"even size {size}: ONNX's window is then lopsided (one more channel after than before), TFLite's LOCAL_RESPONSE_NORMALIZATION is symmetric");
        float alpha = n.Float("alpha", 1e-4f), beta = n.Float("beta", 0.75f), bias = n.Float("bias", 1f);
        int x = NeedNhwc(n, 0);
        int o = Out(n.Outputs[0], Nhwc);
        _mb.AddOperator(BuiltinOperator.LocalResponseNormalization, [x], [o],
            new LocalResponseNormalizationOptions(checked((int)(size - 1) / 2), bias, alpha / size, beta));
        AfterLayoutBound(n.Outputs[0]);
    }
}
