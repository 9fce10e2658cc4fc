using Reader.Core.Open;
using Reader.Native;
using Reader.Native.Jpeg2000;

namespace Reader.Core.Decode;

/// <summary>
/// Aperio JPEG 2000 tiles: TIFF compression 33003 (a YCbCr codestream, chroma possibly subsampled) and 33005 (an
/// RGB codestream, usually with the codestream's own colour transform). OpenJPEG decodes through the shim; there is
/// no managed decoder, so every <see cref="DecoderBackend"/> uses it, and without it a slide still opens but reading
/// such a tile is an <see cref="UnsupportedFormatException"/> saying why.
/// <para>
/// The colour handling is OpenSlide 4.0.1's (openslide-decode-jp2k.c): the compression code alone decides it (the
/// TIFF photometric is not consulted); a subsampled component is replicated by the whole factor image width /
/// component width; 33003's YCbCr becomes RGB through the fixed-point tables below, which are OpenSlide's
/// (make-tables.c): R = Y + round(1.402 (Cr - 128)), B = Y + round(1.772 (Cb - 128)), and G = Y + the sum of
/// round(65536 (0.5 - 0.34414 (Cb - 128))) and round(65536 (-0.71414) (Cr - 128)) shifted right by 16 (the 0.5 is
/// the rounding, folded into one table), each clamped to 0..255. C's round() is half away from zero.
/// </para>
/// </summary>
internal sealed class Jpeg2000Codec : ITileCodec
{
    public static readonly Jpeg2000Codec YCbCr = new(ycbcr: true);
    public static readonly Jpeg2000Codec Rgb = new(ycbcr: false);

    private static readonly short[] RCr = Table(i => 1.402 * (i - 128));
    private static readonly short[] BCb = Table(i => 1.772 * (i - 128));
    private static readonly int[] GCb = WideTable(i => 65536.0 * (0.5 - (0.34414 * (i - 128))));
    private static readonly int[] GCr = WideTable(i => 65536.0 * -0.71414 * (i - 128));

    private readonly bool ycbcr;

    private Jpeg2000Codec(bool ycbcr)
    {
        this.ycbcr = ycbcr;
        Name = ycbcr ? "JPEG 2000 (Aperio YCbCr)" : "JPEG 2000 (Aperio RGB)";
    }

    public string Name { get; }

    /// <summary>Three interleaved 8-bit samples per pixel, RGB or YCbCr photometric (Aperio writes either); no alpha.</summary>
    public string? Refuse(TileEncoding encoding)
    {
        if (encoding.SamplesPerPixel != 3)
        {
            return $"JPEG 2000 with {encoding.SamplesPerPixel} samples per pixel is not supported (3 expected)";
        }

        if (encoding.Planar == 2)
        {
            return "JPEG 2000 with separate sample planes is not supported";
        }

        return encoding.Photometric is TiffPhotometric.Rgb or TiffPhotometric.YCbCr
            ? null
            : $"JPEG 2000 with {TiffPhotometric.NameOf(encoding.Photometric)} photometric is not supported (RGB or YCbCr expected)";
    }

    public bool TryDecodePixels(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> destination, int stride, PixelFormat format)
    {
        Decode(in context, compressed, destination, stride, format.BytesPerPixel());
        return true;
    }

    /// <summary>Unused (every tile decodes to pixels), but complete: RGB samples, a tile wide.</summary>
    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        TileEncoding e = context.Encoding;
        int rowBytes = e.TileWidth * 3;
        Decode(in context, compressed, samples, rowBytes, 3);
        return rowBytes * context.VisibleHeight;
    }

    private void Decode(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> destination, int stride, int channels)
    {
        TileEncoding e = context.Encoding;
        NativeStatus status = NativeJpeg2000.Decode(
            compressed, channels, destination, stride, e.TileWidth, e.TileHeight,
            out int width, out int height, out _, out string message);
        switch (status)
        {
            case NativeStatus.Ok:
                break;
            case NativeStatus.Unavailable:
                throw context.Unsupported("JPEG 2000 tiles need OpenJPEG: " + message);
            case NativeStatus.Unsupported:
                throw context.Unsupported("JPEG 2000 " + message);
            case NativeStatus.SizeMismatch:
                throw context.Corrupt("JPEG 2000 " + message);
            default:
                throw context.Corrupt("JPEG 2000 data corrupt: " + message);
        }

        if (width < context.VisibleWidth || height < context.VisibleHeight)
        {
            throw context.Corrupt($"JPEG 2000 image is {width}x{height}, smaller than the {context.VisibleWidth}x{context.VisibleHeight} the tile shows");
        }

        if (ycbcr)
        {
            // The shim wrote the rows that fit the destination; convert those, in place.
            int rowBytes = width * channels;
            int rows = Math.Min(height, ((destination.Length - rowBytes) / stride) + 1);
            for (int y = 0; y < rows; y++)
            {
                ToRgb(destination.Slice(y * stride, rowBytes), channels);
            }
        }
    }

    /// <summary>OpenSlide's YCbCr to RGB, in place over one row of <paramref name="channels"/>-byte pixels.</summary>
    private static void ToRgb(Span<byte> row, int channels)
    {
        for (int i = 0; i + 2 < row.Length; i += channels)
        {
            int y = row[i];
            int cb = row[i + 1];
            int cr = row[i + 2];
            row[i] = Clamp(y + RCr[cr]);
            row[i + 1] = Clamp(y + ((GCb[cb] + GCr[cr]) >> 16));
            row[i + 2] = Clamp(y + BCb[cb]);
        }
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private static short[] Table(Func<int, double> f)
    {
        var t = new short[256];
        for (int i = 0; i < 256; i++)
        {
            t[i] = (short)Math.Round(f(i), MidpointRounding.AwayFromZero);
        }

        return t;
    }

    private static int[] WideTable(Func<int, double> f)
    {
        var t = new int[256];
        for (int i = 0; i < 256; i++)
        {
            t[i] = (int)Math.Round(f(i), MidpointRounding.AwayFromZero);
        }

        return t;
    }
}
