namespace Accel.Conversion.Tests;

/// <summary>
/// Resize mode=cubic, decomposed into two constant BATCH_MATMULs (Lowering.Cubic.cs): every coordinate transformation
/// the decomposition takes, cubic_coeff_a −0.75 (ONNX's default) and −0.5 (PyTorch's/OpenCV's), exclude_outside,
/// up- and downscaling, an axis left unchanged (its identity matrix skipped), against ONNX Runtime like every op graph.
/// </summary>
public sealed partial class OpConversionTests
{
    private static string Cubic(OnnxBuilder b, string x, int h, int w, string ctm, float a = -0.75f, int excludeOutside = 0)
    {
        b.Int64("sz", [4], [1, C, h, w]);
        return Op(b, "Resize", [x, "", "", "sz"], ("mode", "cubic"), ("coordinate_transformation_mode", ctm),
            ("cubic_coeff_a", a), ("exclude_outside", excludeOutside));
    }

    private static IEnumerable<Case> CubicCases()
    {
        yield return new("Resize cubic half_pixel x2", (b, x) => Cubic(b, x, 18, 14, "half_pixel"));
        yield return new("Resize cubic half_pixel a -0.5 13x10", (b, x) => Cubic(b, x, 13, 10, "half_pixel", -0.5f));
        yield return new("Resize cubic half_pixel downscale 5x4", (b, x) => Cubic(b, x, 5, 4, "half_pixel"));
        yield return new("Resize cubic half_pixel exclude_outside a -0.5", (b, x) => Cubic(b, x, 16, 11, "half_pixel", -0.5f, 1));
        yield return new("Resize cubic align_corners 17x13", (b, x) => Cubic(b, x, 17, 13, "align_corners"));
        yield return new("Resize cubic align_corners exclude_outside a -0.5 downscale", (b, x) => Cubic(b, x, 4, 3, "align_corners", -0.5f, 1));
        yield return new("Resize cubic asymmetric x2 (scales)", (b, x) =>
        {
            b.Float("sc", [4], [1, 1, 2, 2]);
            return Op(b, "Resize", [x, "", "sc"], ("mode", "cubic"), ("coordinate_transformation_mode", "asymmetric"));
        });
        yield return new("Resize cubic asymmetric exclude_outside, width unchanged", (b, x) => Cubic(b, x, 18, W, "asymmetric", -0.5f, 1));
        yield return new("Resize cubic pytorch_half_pixel to width 1", (b, x) => Cubic(b, x, 12, 1, "pytorch_half_pixel"));
        yield return new("Resize cubic half_pixel on the model input", (b, x) => Cubic(b, x, 14, 9, "half_pixel"), AfterConv: false);
    }
}
