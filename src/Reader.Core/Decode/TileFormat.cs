using Reader.Core.Open;
using Reader.Native.Jpeg;

namespace Reader.Core.Decode;

/// <summary>What the alpha sample of an image means.</summary>
internal enum AlphaKind
{
    None,
    Unassociated,
    Associated,
}

/// <summary>
/// Everything needed to decode a tile of one image, checked once when the image becomes a
/// level or associated image. Anything this reader cannot decode is refused here with an
/// <see cref="UnsupportedFormatException"/> naming the file, IFD and feature.
/// </summary>
internal sealed class TileFormat
{
    /// <summary>More samples than any slide format uses (RGB plus a few extra channels).</summary>
    public const int MaxSamplesPerPixel = 16;

    private TileFormat()
    {
    }

    public int Compression { get; private init; }

    public int Photometric { get; private init; }

    public int SamplesPerPixel { get; private init; }

    public int Planar { get; private init; }

    public int Predictor { get; private init; }

    public AlphaKind Alpha { get; private init; }

    /// <summary>Index of the alpha sample (the first extra sample), when there is one.</summary>
    public int AlphaSample { get; private init; }

    public int TileWidth { get; private init; }

    public int TileHeight { get; private init; }

    public byte[]? JpegTables { get; private init; }

    /// <summary>The JPEG colour space the TIFF tags state (JPEG only).</summary>
    public JpegColorSpace JpegColor { get; private init; }

    /// <summary>A palette as 256 packed RGB triplets, 8 bits each.</summary>
    public byte[]? Palette { get; private init; }

    public bool IsJpeg => Compression == TiffCompression.Jpeg;

    /// <summary>The layout tiles decode to natively: RGBA when the image has alpha, else RGB.</summary>
    public PixelFormat NativeFormat => Alpha == AlphaKind.None ? PixelFormat.Rgb24 : PixelFormat.Rgba32;

    /// <summary>True when a JPEG decodes straight to RGB/RGBA (no sample conversion step).</summary>
    public bool JpegDecodesToPixels => IsJpeg && Photometric != TiffPhotometric.MinIsWhite && JpegColor != JpegColorSpace.Raw;

    /// <summary>Bytes of one decoded chunk (a tile, or one plane of it when planar).</summary>
    public int ChunkBytes => TileWidth * TileHeight * (Planar == 2 ? 1 : SamplesPerPixel);

    public string CompressionName => TiffCompression.NameOf(Compression);

    public static TileFormat For(TiffImage image)
    {
        TiffDirectory dir = image.Directory;
        string path = image.Path;
        string where = dir.Name;

        int compression = image.Compression;
        switch (compression)
        {
            case TiffCompression.None:
            case TiffCompression.Lzw:
            case TiffCompression.Jpeg:
            case TiffCompression.AdobeDeflate:
            case TiffCompression.Deflate:
            case TiffCompression.Zstd:
            case TiffCompression.ZstdLegacy:
            case TiffCompression.PackBits:
                break;
            default:
                throw new UnsupportedFormatException(path, where, $"compression {TiffCompression.NameOf(compression)} is not supported");
        }

        int spp = image.SamplesPerPixel;
        if (spp is < 1 or > MaxSamplesPerPixel)
        {
            throw new UnsupportedFormatException(path, where, $"{spp} samples per pixel are not supported (1 to {MaxSamplesPerPixel})");
        }

        long tileBytes = (long)image.Grid.TileWidth * image.Grid.TileHeight * spp;
        if (tileBytes > dir.Container.Limits.MaxTilePixels * 4)
        {
            throw new SlideLimitException(path, where, $"a {image.Grid.TileWidth}x{image.Grid.TileHeight} tile of {spp} samples ({tileBytes} bytes) exceeds the limit of {dir.Container.Limits.MaxTilePixels * 4} bytes per decoded tile");
        }

        ulong[] bits = dir.GetIntegers(TiffTag.BitsPerSample, 65535) ?? [1];
        foreach (ulong b in bits)
        {
            if (b != 8)
            {
                throw new UnsupportedFormatException(path, where, $"{b}-bit samples are not supported (8-bit only)");
            }
        }

        ulong[] sampleFormat = dir.GetIntegers(TiffTag.SampleFormat, 65535) ?? [1];
        foreach (ulong f in sampleFormat)
        {
            // Signed 8-bit samples are read as their raw bytes, as libtiff's RGBA interface (and OpenSlide) do.
            if (f is not (1 or 2))
            {
                throw new UnsupportedFormatException(path, where, f == 3 ? "floating-point samples are not supported" : $"sample format {f} is not supported");
            }
        }

        int planar = image.Planar;
        if (planar is not (1 or 2))
        {
            throw new CorruptSlideException(path, where, $"PlanarConfiguration {planar} is invalid");
        }

        int predictor = (int)dir.GetInteger(TiffTag.Predictor, 1);
        if (compression == TiffCompression.Jpeg)
        {
            predictor = 1; // meaningless for JPEG; libtiff ignores it too
        }
        else if (predictor is not (1 or 2))
        {
            throw new UnsupportedFormatException(path, where, predictor == 3 ? "floating-point predictor is not supported" : $"predictor {predictor} is not supported");
        }

        if (dir.GetInteger(TiffTag.ImageDepth, 1) > 1)
        {
            throw new UnsupportedFormatException(path, where, "volumetric images (ImageDepth > 1) are not supported");
        }

        int photometric = image.Photometric;
        int colorSamples;
        switch (photometric)
        {
            case TiffPhotometric.MinIsBlack:
            case TiffPhotometric.MinIsWhite:
            case TiffPhotometric.Palette:
                colorSamples = 1;
                break;
            case TiffPhotometric.Rgb:
                colorSamples = 3;
                break;
            case TiffPhotometric.YCbCr:
                if (compression != TiffCompression.Jpeg)
                {
                    throw new UnsupportedFormatException(path, where, "YCbCr photometric is supported with JPEG compression only");
                }

                colorSamples = 3;
                break;
            default:
                throw new UnsupportedFormatException(path, where, $"photometric interpretation {TiffPhotometric.NameOf(photometric)} is not supported");
        }

        if (spp < colorSamples)
        {
            throw new CorruptSlideException(path, where, $"{TiffPhotometric.NameOf(photometric)} image with {spp} samples per pixel");
        }

        AlphaKind alpha = AlphaKind.None;
        if (spp > colorSamples)
        {
            ulong[] extra = dir.GetIntegers(TiffTag.ExtraSamples, 65535) ?? [];
            ulong first = extra.Length > 0 ? extra[0] : 0;
            alpha = first switch
            {
                1 => AlphaKind.Associated,
                2 => AlphaKind.Unassociated,
                _ => AlphaKind.None, // unspecified extra data is not alpha
            };
        }

        byte[]? palette = null;
        if (photometric == TiffPhotometric.Palette)
        {
            palette = ReadPalette(dir, path, where);
        }

        JpegColorSpace jpegColor = JpegColorSpace.Raw;
        byte[]? tables = null;
        if (compression == TiffCompression.Jpeg)
        {
            if (planar == 2 && spp > 1)
            {
                throw new UnsupportedFormatException(path, where, "JPEG with separate sample planes is not supported");
            }

            if (photometric == TiffPhotometric.Palette)
            {
                throw new UnsupportedFormatException(path, where, "JPEG-compressed palette images are not supported");
            }

            tables = dir.GetBytes(TiffTag.JpegTables);
            jpegColor = photometric switch
            {
                TiffPhotometric.YCbCr when spp == 3 => JpegColorSpace.YCbCr,
                TiffPhotometric.Rgb when spp == 3 => JpegColorSpace.Rgb,
                TiffPhotometric.MinIsBlack or TiffPhotometric.MinIsWhite when spp == 1 => JpegColorSpace.Gray,
                TiffPhotometric.YCbCr => throw new UnsupportedFormatException(path, where, $"YCbCr JPEG with {spp} samples per pixel is not supported"),
                _ => JpegColorSpace.Raw, // RGBA, grey + alpha: components passed through
            };
        }

        return new TileFormat
        {
            Compression = compression,
            Photometric = photometric,
            SamplesPerPixel = spp,
            Planar = spp == 1 ? 1 : planar,
            Predictor = predictor,
            Alpha = alpha,
            AlphaSample = colorSamples,
            TileWidth = image.Grid.TileWidth,
            TileHeight = image.Grid.TileHeight,
            JpegTables = tables,
            JpegColor = jpegColor,
            Palette = palette,
        };
    }

    private static byte[] ReadPalette(TiffDirectory dir, string path, string where)
    {
        ulong[] map = dir.GetIntegers(TiffTag.ColorMap, 3 * 256)
            ?? throw new CorruptSlideException(path, where, "palette image without a ColorMap");
        if (map.Length != 3 * 256)
        {
            throw new CorruptSlideException(path, where, $"ColorMap has {map.Length} entries, 768 expected for 8-bit samples");
        }

        // Like libtiff: a map whose values all fit 8 bits was written by an 8-bit-minded writer.
        bool eightBit = map.All(v => v < 256);
        var palette = new byte[3 * 256];
        for (int i = 0; i < 256; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                ulong v = map[(c * 256) + i];
                palette[(i * 3) + c] = (byte)(eightBit ? v : v >> 8);
            }
        }

        return palette;
    }
}
