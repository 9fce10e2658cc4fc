namespace Reader.Core;

/// <summary>Which decoders a slide uses.</summary>
public enum DecoderBackend
{
    /// <summary>libjpeg-turbo and libdeflate through the native shim when it loads; otherwise managed, with a one-time notice.</summary>
    Auto,

    /// <summary>The native shim; opening fails when it is unavailable.</summary>
    Native,

    /// <summary>Managed decoders only (byte-identical output, slower).</summary>
    Managed,
}
