using Reader.Core.Open;
using Reader.Native;
using Reader.Native.Webp;

namespace Reader.Core.Decode;

/// <summary>
/// WebP tiles (TIFF compression 50001, as libtiff and GDAL write them): each tile is one complete WebP file, lossy or
/// lossless, decoded by libwebp through the shim as RGB (3 samples per pixel) or RGBA (4; the alpha's meaning comes
/// from ExtraSamples, as for any other codec). It decodes to samples, so alpha handling is the sample converter's,
/// the same as for deflate or LZW tiles. There is no managed decoder: every <see cref="DecoderBackend"/> uses
/// libwebp, and without it a slide still opens but reading such a tile is an <see cref="UnsupportedFormatException"/>.
/// </summary>
internal sealed class WebpCodec : ITileCodec
{
    public static readonly WebpCodec Instance = new();

    public string Name => "WebP";

    /// <summary>libtiff's own rules for WebP: 8-bit RGB or RGBA, samples interleaved.</summary>
    public string? Refuse(TileEncoding encoding)
    {
        if (encoding.SamplesPerPixel is not (3 or 4))
        {
            return $"WebP with {encoding.SamplesPerPixel} samples per pixel is not supported (3 or 4)";
        }

        if (encoding.Planar == 2)
        {
            return "WebP with separate sample planes is not supported";
        }

        return encoding.Photometric == TiffPhotometric.Rgb
            ? null
            : $"WebP with {TiffPhotometric.NameOf(encoding.Photometric)} photometric is not supported (RGB expected)";
    }

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        TileEncoding e = context.Encoding;
        int channels = e.SamplesPerPixel;
        int rowBytes = e.TileWidth * channels;
        NativeStatus status = NativeWebp.Decode(compressed, channels, samples, rowBytes, e.TileWidth, e.TileHeight, out int width, out int height, out _, out string message);
        switch (status)
        {
            case NativeStatus.Ok:
                break;
            case NativeStatus.Unavailable:
                throw context.Unsupported("WebP tiles need libwebp: " + message);
            case NativeStatus.SizeMismatch:
                throw context.Corrupt(message);
            default:
                throw context.Corrupt("WebP data corrupt: " + message);
        }

        if (width < context.VisibleWidth || height < context.VisibleHeight)
        {
            throw context.Corrupt($"WebP image is {width}x{height}, smaller than the {context.VisibleWidth}x{context.VisibleHeight} the tile shows");
        }

        return rowBytes * height;
    }
}
