namespace Reader.Native;

/// <summary>How a native decode ended; the caller turns failures into exceptions with context.</summary>
public enum NativeStatus
{
    /// <summary>Decoded.</summary>
    Ok = 0,

    /// <summary>The compressed data is corrupt (libjpeg error or corrupt-data warning, bad deflate data).</summary>
    Corrupt = 1,

    /// <summary>A buffer or dimension passed in was unusable.</summary>
    InvalidArgument = 2,

    /// <summary>The image does not fit the expected size or the destination.</summary>
    SizeMismatch = 3,

    /// <summary>The data expands to more than the destination holds (decompression bomb guard).</summary>
    OutputTooLarge = 5,

    /// <summary>The shim was built without the library this call needs.</summary>
    Unavailable = 6,

    /// <summary>A valid image of a kind the reader does not decode (component count, bit depth).</summary>
    Unsupported = 9,
}
