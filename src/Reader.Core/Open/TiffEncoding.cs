using Reader.Core.Decode;

namespace Reader.Core.Open;

/// <summary>
/// The <see cref="TileEncoding"/> of a TIFF image, from its tags, checked once when the image becomes a
/// level or associated image. Anything this reader cannot decode is refused here with an
/// <see cref="UnsupportedFormatException"/> naming the file, IFD and feature.
/// </summary>
internal static class TiffEncoding
{
    public static TileEncoding For(TiffImage image, TileCodecRegistry codecs)
    {
        TiffDirectory dir = image.Directory;
        string path = image.Path;
        string where = dir.Name;

        int compression = image.Compression;
        ITileCodec codec = codecs.Find(compression)
            ?? throw new UnsupportedFormatException(path, where, $"compression {TiffCompression.NameOf(compression)} is not supported");

        int spp = image.SamplesPerPixel;
        if (spp is < 1 or > TileEncoding.MaxSamplesPerPixel)
        {
            throw new UnsupportedFormatException(path, where, $"{spp} samples per pixel are not supported (1 to {TileEncoding.MaxSamplesPerPixel})");
        }

        // 8-bit samples, or 16-bit RGB(A) samples narrowed as libtiff's RGBA interface (and so OpenSlide) narrows them.
        ulong[] bits = dir.GetIntegers(TiffTag.BitsPerSample, 65535) ?? [1];
        int bitsPerSample = bits.Length > 0 && bits[0] == 16 ? 16 : 8;
        foreach (ulong b in bits)
        {
            if (b == 16 && bitsPerSample == 16)
            {
                continue;
            }

            if (b != 8)
            {
                throw new UnsupportedFormatException(path, where, $"{b}-bit samples are not supported (8-bit, or 16-bit RGB)");
            }

            if (bitsPerSample == 16)
            {
                throw new UnsupportedFormatException(path, where, "16-bit samples mixed with 8-bit ones are not supported");
            }
        }

        if (bitsPerSample == 16 && image.Photometric != TiffPhotometric.Rgb)
        {
            throw new UnsupportedFormatException(path, where, $"16-bit samples are supported for RGB images only, not {TiffPhotometric.NameOf(image.Photometric)}");
        }

        long tileBytes = (long)image.Grid.TileWidth * image.Grid.TileHeight * spp * (bitsPerSample / 8);
        if (tileBytes > dir.Container.Limits.MaxTilePixels * 4)
        {
            throw new SlideLimitException(path, where, $"a {image.Grid.TileWidth}x{image.Grid.TileHeight} tile of {spp} {bitsPerSample}-bit samples ({tileBytes} bytes) exceeds the limit of {dir.Container.Limits.MaxTilePixels * 4} bytes per decoded tile");
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
        if (compression is TiffCompression.Jpeg or TiffCompression.AperioJp2kYCbCr or TiffCompression.AperioJp2kRgb or TiffCompression.WebP)
        {
            predictor = 1; // meaningless for image codecs; libtiff (and OpenSlide's JPEG 2000 path) ignore it too
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
                // Aperio JPEG 2000 tiles may say YCbCr; their codec decides the colour from the compression code.
                if (compression is not (TiffCompression.Jpeg or TiffCompression.AperioJp2kYCbCr or TiffCompression.AperioJp2kRgb))
                {
                    throw new UnsupportedFormatException(path, where, "YCbCr photometric is supported with JPEG and Aperio JPEG 2000 compression only");
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

        byte[]? tables = compression == TiffCompression.Jpeg ? dir.GetBytes(TiffTag.JpegTables) : null;
        var encoding = new TileEncoding
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
            Palette = palette,
            BitsPerSample = bitsPerSample,
            BigEndianSamples = dir.Container.IsBigEndian,
        };

        // The codec's own acceptance rules (JPEG: no separate planes, no palette, YCbCr needs 3 samples; JPEG 2000 and
        // WebP: interleaved RGB, JPEG 2000 also YCbCr, 3 samples, WebP 3 or 4).
        string? refused = codec.Refuse(encoding);
        return refused is null ? encoding : throw new UnsupportedFormatException(path, where, refused);
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
