namespace Reader.Native.Jpeg;

/// <summary>The JPEG colour space as the TIFF tags state it (libjpeg is never left to guess).</summary>
public enum JpegColorSpace
{
    /// <summary>One component.</summary>
    Gray = 1,

    /// <summary>Three components stored as RGB without transform (Aperio, Photometric=RGB).</summary>
    Rgb = 2,

    /// <summary>Three components, YCbCr converted to RGB.</summary>
    YCbCr = 3,

    /// <summary>Any number of components, passed through unchanged.</summary>
    Raw = 4,
}

/// <summary>The pixel layout a decode writes.</summary>
public enum JpegOutput
{
    /// <summary>The colour space's own components (1 for gray, 3, or N raw components).</summary>
    Components = 0,

    /// <summary>3 bytes per pixel.</summary>
    Rgb = 1,

    /// <summary>4 bytes per pixel, alpha 255.</summary>
    Rgba = 2,
}
