namespace Reader.Native.Webp;

/// <summary>libwebp through the shim: one WebP file to RGB or RGBA bytes. Stateless and thread-safe.</summary>
public static unsafe class NativeWebp
{
    /// <summary>True when the shim is loaded and was built with libwebp.</summary>
    public static bool IsSupported => NativeShim.IsAvailable && NativeShim.HasLibwebp;

    /// <summary>Why <see cref="IsSupported"/> is false (empty when it is true).</summary>
    public static string UnsupportedReason =>
        !NativeShim.IsAvailable ? NativeShim.UnavailableReason
        : !NativeShim.HasLibwebp ? "wsinative was built without libwebp (install libwebp-dev and rebuild native/ with ./build.sh setup)"
        : string.Empty;

    /// <summary>
    /// Decodes <paramref name="data"/> into <paramref name="destination"/> as RGB (<paramref name="channels"/> 3) or
    /// RGBA (4), rows <paramref name="stride"/> bytes apart. The image may not be larger than
    /// <paramref name="maxWidth"/> x <paramref name="maxHeight"/> (checked from its header first).
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
        out bool hasAlpha,
        out string message)
    {
        if (!IsSupported)
        {
            width = height = 0;
            hasAlpha = false;
            message = UnsupportedReason;
            return NativeStatus.Unavailable;
        }

        byte* text = stackalloc byte[NativeOutput.MessageBytes];
        text[0] = 0;
        int status;
        int alpha;
        fixed (byte* d = data)
        fixed (byte* o = destination)
        {
            status = ShimMethods.WebpDecode(
                d, (nuint)data.Length, channels, o, (nuint)destination.Length, (nuint)stride,
                maxWidth, maxHeight, out width, out height, out alpha, text, NativeOutput.MessageBytes);
        }

        hasAlpha = alpha != 0;
        message = status == ShimMethods.StatusOk ? string.Empty : NativeOutput.Message(text);
        return NativeOutput.StatusOf(status);
    }

    /// <summary>Encodes RGB (<paramref name="channels"/> 3) or RGBA (4): <paramref name="quality"/> 0..100 lossy, or negative for lossless.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int stride, int channels, int quality)
    {
        if (!IsSupported)
        {
            throw new DllNotFoundException(UnsupportedReason);
        }

        if ((long)stride * (height - 1) + ((long)width * channels) > pixels.Length)
        {
            throw new ArgumentException("pixel buffer too small", nameof(pixels));
        }

        byte* message = stackalloc byte[NativeOutput.MessageBytes];
        message[0] = 0;
        fixed (byte* p = pixels)
        {
            int status = ShimMethods.WebpEncode(p, width, height, (nuint)stride, channels, quality, out IntPtr output, out nuint length, message, NativeOutput.MessageBytes);
            return NativeOutput.Take("libwebp", status, output, length, message);
        }
    }
}
