namespace Accel.Vision;

/// <summary>A point in image pixel coordinates (x right, y down; pixel (0,0)'s top-left corner is (0,0)).</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>An axis-aligned box in image pixel coordinates.</summary>
public readonly record struct BoxF(float Left, float Top, float Width, float Height)
{
    /// <summary>Left + Width.</summary>
    public float Right => Left + Width;

    /// <summary>Top + Height.</summary>
    public float Bottom => Top + Height;

    /// <summary>The centre.</summary>
    public PointF Center => new(Left + Width / 2, Top + Height / 2);

    /// <summary>Intersection over union with <paramref name="other"/> (0 when either box is empty).</summary>
    public float IntersectionOverUnion(BoxF other)
    {
        if (Width <= 0 || Height <= 0 || other.Width <= 0 || other.Height <= 0) return 0;
        float w = MathF.Min(Right, other.Right) - MathF.Max(Left, other.Left);
        float h = MathF.Min(Bottom, other.Bottom) - MathF.Max(Top, other.Top);
        if (w <= 0 || h <= 0) return 0;
        float inter = w * h;
        return inter / (Width * Height + other.Width * other.Height - inter);
    }
}

/// <summary>
/// A rotated rectangle in image pixels: MediaPipe's region of interest. <see cref="Rotation"/> is in radians; the
/// rectangle's own x axis points along (cos r, sin r) in image coordinates (y down), so a positive rotation turns it
/// clockwise on screen.
/// </summary>
public readonly record struct RotatedRect(float CenterX, float CenterY, float Width, float Height, float Rotation = 0)
{
    /// <summary>The whole image, unrotated.</summary>
    public static RotatedRect FullImage(int width, int height) => new(width / 2f, height / 2f, width, height);

    /// <summary>
    /// A point given in the rectangle's normalised coordinates (0..1 across, 0..1 down, in its own rotated frame) in
    /// image pixels.
    /// </summary>
    public PointF ToImage(float u, float v)
    {
        float c = MathF.Cos(Rotation), s = MathF.Sin(Rotation);
        float dx = (u - 0.5f) * Width, dy = (v - 0.5f) * Height;
        return new PointF(CenterX + c * dx - s * dy, CenterY + s * dx + c * dy);
    }

    /// <summary>The four corners (top-left, top-right, bottom-right, bottom-left of the rotated frame) in image pixels.</summary>
    public PointF[] Corners() => [ToImage(0, 0), ToImage(1, 0), ToImage(1, 1), ToImage(0, 1)];

    /// <summary>
    /// MediaPipe's rotation from two keypoints (DetectionsToRectsCalculator): <c>target − atan2(−(y1 − y0), x1 − x0)</c>,
    /// normalised to [−π, π).
    /// </summary>
    public static float RotationFromKeypoints(PointF start, PointF end, float targetAngle) =>
        NormalizeRadians(targetAngle - MathF.Atan2(-(end.Y - start.Y), end.X - start.X));

    /// <summary>An angle in [−π, π).</summary>
    public static float NormalizeRadians(float angle) =>
        angle - 2 * MathF.PI * MathF.Floor((angle + MathF.PI) / (2 * MathF.PI));

    /// <summary>
    /// MediaPipe's RectTransformationCalculator: shift by a fraction of the size along the rotated axes, optionally make
    /// it a square of the long side, then scale.
    /// </summary>
    public RotatedRect Transform(float scaleX, float scaleY, float shiftX = 0, float shiftY = 0, bool squareLong = true)
    {
        float c = MathF.Cos(Rotation), s = MathF.Sin(Rotation);
        float cx = CenterX + Width * shiftX * c - Height * shiftY * s;
        float cy = CenterY + Width * shiftX * s + Height * shiftY * c;
        float w = Width, h = Height;
        if (squareLong) w = h = MathF.Max(w, h);
        return new RotatedRect(cx, cy, w * scaleX, h * scaleY, Rotation);
    }
}
