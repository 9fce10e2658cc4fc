namespace Reader.Core;

/// <summary>Output pixel layouts. Neither is premultiplied.</summary>
public enum PixelFormat
{
    /// <summary>R, G, B: 3 bytes per pixel.</summary>
    Rgb24 = 3,

    /// <summary>R, G, B, A: 4 bytes per pixel, straight (non-premultiplied) alpha.</summary>
    Rgba32 = 4,
}

/// <summary>Helpers for <see cref="PixelFormat"/>.</summary>
public static class PixelFormats
{
    /// <summary>Bytes per pixel of <paramref name="format"/>.</summary>
    public static int BytesPerPixel(this PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => 3,
        PixelFormat.Rgba32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown pixel format"),
    };
}
