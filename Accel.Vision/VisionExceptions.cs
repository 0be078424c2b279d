namespace Accel.Vision;

/// <summary>Base of every error Accel.Vision throws on purpose.</summary>
public class VisionException : AccelException
{
    /// <summary>An error with its message.</summary>
    public VisionException(string message) : base(message) { }

    /// <summary>An error with its message and the error that caused it.</summary>
    public VisionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// An image input that cannot be used: not an image, truncated or damaged data, a 0×0 size, a pixel buffer whose length
/// does not match its declared size. <see cref="ImageName"/> names the input (a path, or the name the caller gave).
/// </summary>
public sealed class InvalidImageException : VisionException
{
    /// <summary>The error for the input <paramref name="imageName"/>.</summary>
    public InvalidImageException(string imageName, string problem, Exception? inner = null)
        : base($"Image '{imageName}': {problem}", inner ?? new InvalidDataException(problem))
    {
        ImageName = imageName;
        Problem = problem;
    }

    /// <summary>The input's path or name.</summary>
    public string ImageName { get; }

    /// <summary>What is wrong, without the name.</summary>
    public string Problem { get; }
}

/// <summary>
/// An image whose declared size exceeds <see cref="ImageDecodeOptions.MaxPixels"/>; thrown from the header, before any
/// pixel memory is allocated.
/// </summary>
public sealed class ImageTooLargeException : VisionException
{
    /// <summary>The error for the input <paramref name="imageName"/> declaring <paramref name="width"/>×<paramref name="height"/>.</summary>
    public ImageTooLargeException(string imageName, long width, long height, long maxPixels)
        : base($"Image '{imageName}' declares {width}x{height} = {width * height:N0} pixels, more than the limit of {maxPixels:N0} (ImageDecodeOptions.MaxPixels); nothing was allocated for it.")
    {
        ImageName = imageName;
        Width = width;
        Height = height;
        MaxPixels = maxPixels;
    }

    /// <summary>The input's path or name.</summary>
    public string ImageName { get; }

    /// <summary>The declared width.</summary>
    public long Width { get; }

    /// <summary>The declared height.</summary>
    public long Height { get; }

    /// <summary>The limit it exceeds.</summary>
    public long MaxPixels { get; }
}

/// <summary>
/// A model that does not fit the task head it was given to (wrong input shape or dtype, unexpected outputs); the
/// message names the model input or output and what was expected.
/// </summary>
public sealed class VisionModelException : VisionException
{
    /// <summary>The error with its message.</summary>
    public VisionModelException(string message) : base(message) { }
}
