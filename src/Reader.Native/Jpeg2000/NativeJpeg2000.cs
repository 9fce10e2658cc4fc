namespace Reader.Native.Jpeg2000;

/// <summary>
/// OpenJPEG through the shim: decodes a J2K codestream (or a JP2 file) of three 8-bit components into
/// interleaved bytes, components as coded (no colour conversion), subsampled ones replicated. Stateless
/// and thread-safe: OpenJPEG needs a fresh codec per image anyway.
/// </summary>
public static unsafe class NativeJpeg2000
{
    /// <summary>True when the shim is loaded and was built with OpenJPEG.</summary>
    public static bool IsSupported => NativeShim.IsAvailable && NativeShim.HasOpenJpeg;

    /// <summary>Why <see cref="IsSupported"/> is false (empty when it is true).</summary>
    public static string UnsupportedReason =>
        !NativeShim.IsAvailable ? NativeShim.UnavailableReason
        : !NativeShim.HasOpenJpeg ? "wsinative was built without OpenJPEG (install libopenjp2-7-dev and rebuild native/ with ./build.sh setup)"
        : string.Empty;

    /// <summary>
    /// Decodes <paramref name="data"/> into <paramref name="destination"/> (<paramref name="channels"/> 3, or 4 with
    /// alpha 255; rows <paramref name="stride"/> bytes apart; only the rows that fit are written). The image may not
    /// be larger than <paramref name="maxWidth"/> x <paramref name="maxHeight"/>. <paramref name="message"/> says why
    /// a decode failed.
    /// </summary>
    public static NativeStatus Decode(
        ReadOnlySpan<byte> data,
        int channels,
        Span<byte> destination,
        int stride,
        int maxWidth,
        int maxHeight,
        out int width,
        out int height,
        out int components,
        out string message)
    {
        if (!IsSupported)
        {
            width = height = components = 0;
            message = UnsupportedReason;
            return NativeStatus.Unavailable;
        }

        byte* text = stackalloc byte[NativeOutput.MessageBytes];
        text[0] = 0;
        int status;
        fixed (byte* d = data)
        fixed (byte* o = destination)
        {
            status = ShimMethods.J2kDecode(
                d, (nuint)data.Length, channels, o, (nuint)destination.Length, (nuint)stride,
                maxWidth, maxHeight, out width, out height, out components, text, NativeOutput.MessageBytes);
        }

        message = status == ShimMethods.StatusOk ? string.Empty : NativeOutput.Message(text);
        return NativeOutput.StatusOf(status);
    }

    /// <summary>
    /// Encodes three interleaved 8-bit components (for the synthetic slide writer and tests). Components 1 and 2 are
    /// subsampled <paramref name="subsampleX"/> x <paramref name="subsampleY"/> (1 or 2); <paramref name="colorTransform"/>
    /// applies the codestream's RGB transform (Aperio 33005); <paramref name="rate"/> &gt; 0 is a lossy 9/7 compression
    /// ratio, 0 lossless 5/3; <paramref name="jp2"/> wraps the codestream in a JP2 file.
    /// </summary>
    public static byte[] Encode(
        ReadOnlySpan<byte> pixels,
        int width,
        int height,
        int stride,
        int subsampleX = 1,
        int subsampleY = 1,
        bool colorTransform = true,
        int rate = 20,
        bool jp2 = false)
    {
        if (!IsSupported)
        {
            throw new DllNotFoundException(UnsupportedReason);
        }

        if ((long)stride * (height - 1) + ((long)width * 3) > pixels.Length)
        {
            throw new ArgumentException("pixel buffer too small", nameof(pixels));
        }

        byte* message = stackalloc byte[NativeOutput.MessageBytes];
        message[0] = 0;
        fixed (byte* p = pixels)
        {
            int status = ShimMethods.J2kEncode(
                p, width, height, (nuint)stride, subsampleX, subsampleY, colorTransform ? 1 : 0, rate, jp2 ? 1 : 0,
                out IntPtr output, out nuint length, message, NativeOutput.MessageBytes);
            return NativeOutput.Take("OpenJPEG", status, output, length, message);
        }
    }
}
