namespace Accel.Conversion;

/// <summary>
/// Resize mode=cubic. TFLite has no bicubic resize, but a resize of fixed sizes is a linear map per axis: output row
/// h' = Σ_h M[h', h] · input row h, with M holding the four cubic taps of each output position (zeros elsewhere). In
/// NHWC the H axis is contracted by one BATCH_MATMUL of the constant [1, H', H] with the image viewed as [N, H, W·C],
/// the W axis by one of [1, W', W] with it viewed as [N·H', W, C]: RESHAPEs around two matrix products, no TRANSPOSE.
/// The taps are ONNX Runtime's (upsamplebase.h, GetCubicCoeffs), in float32 as it computes them; the extra zero terms
/// add exactly 0, so the only difference from ONNX Runtime is the order of the 4 + 4 nonzero products' sums.
/// </summary>
internal sealed partial class Lowering
{
    private void LowerCubicResize(Node n, int[] inShape, int[] outShape, float[]? scales)
    {
        string ctm = n.Str("coordinate_transformation_mode", "half_pixel");
        if (ctm is not ("half_pixel" or "align_corners" or "asymmetric" or "pytorch_half_pixel"))
            throw Unsupported(n, $"cubic with coordinate_transformation_mode '{ctm}' (half_pixel, align_corners, asymmetric and pytorch_half_pixel convert)");
        if (n.Int("antialias", 0) != 0 && (outShape[2] < inShape[2] || outShape[3] < inShape[3]))
            throw Unsupported(n, "antialias cubic downscaling");
        float a = n.Float("cubic_coeff_a", -0.75f);
        bool excludeOutside = n.Int("exclude_outside", 0) != 0;
        int batch = inShape[0], channels = inShape[1], h = inShape[2], w = inShape[3], h2 = outShape[2], w2 = outShape[3];
        if (h == 0 || w == 0 || h2 == 0 || w2 == 0) throw Unsupported(n, "cubic resize of an empty image");
        // ONNX Runtime's scale: the given one, else output / input, in float32.
        float scaleH = scales?[2] ?? (float)h2 / h, scaleW = scales?[3] ?? (float)w2 / w;
        var mh = CubicMatrix(h, h2, scaleH, ctm, a, excludeOutside);
        var mw = CubicMatrix(w, w2, scaleW, ctm, a, excludeOutside);
        int x = NeedNhwc(n, 0);
        int o = Out(n.Outputs[0], Nhwc);
        bool doH = !IsIdentity(mh, h, h2), doW = !IsIdentity(mw, w, w2);
        string name = n.Outputs[0];
        if (doH)
        {
            int flat = Reshape(x, $"{name}/rows", [batch, h, w * channels]);
            int mm = _mb.AddTensor($"{name}/cubic_h", TensorType.Float32, [batch, h2, w * channels]);
            _mb.AddOperator(BuiltinOperator.BatchMatMul, [ConstFloat("cubic_h", [1, h2, h], mh), flat], [mm], new BatchMatMulOptions(false, false));
            x = mm;
        }
        if (doW)
        {
            int cols = Reshape(x, $"{name}/columns", [batch * h2, w, channels]);
            int mm = _mb.AddTensor($"{name}/cubic_w", TensorType.Float32, [batch * h2, w2, channels]);
            _mb.AddOperator(BuiltinOperator.BatchMatMul, [ConstFloat("cubic_w", [1, w2, w], mw), cols], [mm], new BatchMatMulOptions(false, false));
            x = mm;
        }
        int[] nhwc = [batch, h2, w2, channels];
        _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", nhwc)], [o], new ReshapeOptions(nhwc));
        AfterLayoutBound(n.Outputs[0]);
    }

    private int Reshape(int x, string name, int[] shape)
    {
        int t = _mb.AddTensor(name, TensorType.Float32, shape);
        _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", shape)], [t], new ReshapeOptions(shape));
        return t;
    }

    private static bool IsIdentity(float[] m, int length, int resized)
    {
        if (length != resized) return false;
        for (int i = 0; i < resized; i++)
            for (int j = 0; j < length; j++)
                if (m[i * length + j] != (i == j ? 1f : 0f)) return false;
        return true;
    }

    /// <summary>
    /// The [resized, length] interpolation matrix of one axis: for output i, the source coordinate as ONNX defines it
    /// for <paramref name="ctm"/>, and the four taps floor(x)−1 … floor(x)+2 weighted by Keys' cubic with coefficient
    /// <paramref name="a"/>. A tap outside the axis reads the edge (its weight added to the edge element), or with
    /// exclude_outside weighs 0 and the others are divided by their sum.
    /// </summary>
    internal static float[] CubicMatrix(int length, int resized, float scale, string ctm, float a, bool excludeOutside)
    {
        var m = new float[resized * length];
        for (int i = 0; i < resized; i++)
        {
            float x = ctm switch
            {
                "half_pixel" => (i + 0.5f) / scale - 0.5f,
                "pytorch_half_pixel" => resized > 1 ? (i + 0.5f) / scale - 0.5f : 0f,
                "align_corners" => resized == 1 ? 0f : i * (float)(length - 1) / (resized - 1),
                "asymmetric" => i / scale,
                _ => throw new ArgumentException(ctm, nameof(ctm)),
            };
            float xInt = MathF.Floor(x);
            var c = CubicCoefficients(x - xInt, a);
            int first = (int)xInt - 1;
            if (excludeOutside)
            {
                float sum = 0;
                for (int k = 0; k < 4; k++)
                {
                    if (first + k < 0 || first + k >= length) c[k] = 0;
                    sum += c[k];
                }
                for (int k = 0; k < 4; k++) c[k] = sum != 0 ? c[k] / sum : 0;
            }
            for (int k = 0; k < 4; k++)
            {
                int j = first + k;
                if (excludeOutside && (j < 0 || j >= length)) continue;
                m[i * length + Math.Clamp(j, 0, length - 1)] += c[k];
            }
        }
        return m;
    }

    /// <summary>Keys' cubic convolution weights of the taps at distances 1 + s, s, 1 − s, 2 − s (ONNX Runtime's GetCubicCoeffs).</summary>
    private static float[] CubicCoefficients(float s, float a)
    {
        s = MathF.Abs(s);
        return
        [
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a + 2) * (1 - s) - (a + 3)) * (1 - s) * (1 - s) + 1,
            ((a * (2 - s) - 5 * a) * (2 - s) + 8 * a) * (2 - s) - 4 * a,
        ];
    }
}
