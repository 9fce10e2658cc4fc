using Reader.Core.Open;

namespace Reader.Core.Decode;

/// <summary>
/// Turns decoded 8-bit samples (chunky or planar; grey, palette or RGB; with or without
/// alpha) into RGB24 or straight-alpha RGBA32 pixels.
/// </summary>
internal static class SampleConverter
{
    /// <summary>
    /// Converts <paramref name="rows"/> rows of <paramref name="width"/> pixels. Rows of samples are
    /// <paramref name="sourceRowBytes"/> apart (within a plane when planar); planes are
    /// <paramref name="planeBytes"/> apart.
    /// </summary>
    public static void Convert(
        TileEncoding format,
        ReadOnlySpan<byte> samples,
        int sourceRowBytes,
        int planeBytes,
        int width,
        int rows,
        Span<byte> destination,
        int stride,
        PixelFormat output)
    {
        int spp = format.SamplesPerPixel;
        int bpp = output.BytesPerPixel();
        bool planar = format.Planar == 2;
        int photometric = format.Photometric;
        AlphaKind alpha = format.Alpha;
        int alphaSample = format.AlphaSample;

        // The common cases first: RGB and grey without alpha, chunky.
        if (!planar && alpha == AlphaKind.None && photometric == TiffPhotometric.Rgb && spp == 3 && bpp == 3)
        {
            for (int y = 0; y < rows; y++)
            {
                samples.Slice(y * sourceRowBytes, width * 3).CopyTo(destination.Slice(y * stride, width * 3));
            }

            return;
        }

        byte[]? palette = format.Palette;
        for (int y = 0; y < rows; y++)
        {
            Span<byte> row = destination.Slice(y * stride, width * bpp);
            int rowStart = y * sourceRowBytes;

            for (int x = 0; x < width; x++)
            {
                int r, g, b, a = 255;
                int s0 = planar ? rowStart + x : rowStart + (x * spp);
                int step = planar ? planeBytes : 1;
                switch (photometric)
                {
                    case TiffPhotometric.Rgb:
                        r = samples[s0];
                        g = samples[s0 + step];
                        b = samples[s0 + (2 * step)];
                        break;
                    case TiffPhotometric.Palette:
                        int index = samples[s0] * 3;
                        r = palette![index];
                        g = palette[index + 1];
                        b = palette[index + 2];
                        break;
                    case TiffPhotometric.MinIsWhite:
                        r = g = b = 255 - samples[s0];
                        break;
                    default:
                        r = g = b = samples[s0];
                        break;
                }

                if (alpha != AlphaKind.None)
                {
                    a = samples[s0 + (alphaSample * step)];
                    if (alpha == AlphaKind.Associated)
                    {
                        r = Unpremultiply(r, a);
                        g = Unpremultiply(g, a);
                        b = Unpremultiply(b, a);
                    }
                }

                int o = x * bpp;
                row[o] = (byte)r;
                row[o + 1] = (byte)g;
                row[o + 2] = (byte)b;
                if (bpp == 4)
                {
                    row[o + 3] = (byte)a;
                }
            }
        }
    }

    /// <summary>
    /// One chunky 8-bit pixel (RGB, grey or inverted grey; alpha none, straight or premultiplied) at
    /// <paramref name="s0"/> into <paramref name="bpp"/> bytes at <paramref name="o"/>: the body of the loop in
    /// <see cref="Convert"/> for those formats, generic so the GPU's conversion kernel runs it.
    /// </summary>
    public static void ChunkyPixel<TIn, TOut>(TIn samples, int s0, int photometric, int alpha, int alphaSample, TOut destination, int o, int bpp)
        where TIn : struct, Jpeg.IByteView
        where TOut : struct, Jpeg.IByteView
    {
        int r, g, b, a = 255;
        if (photometric == TiffPhotometric.Rgb)
        {
            r = samples[s0];
            g = samples[s0 + 1];
            b = samples[s0 + 2];
        }
        else if (photometric == TiffPhotometric.MinIsWhite)
        {
            r = g = b = 255 - samples[s0];
        }
        else
        {
            r = g = b = samples[s0];
        }

        if (alpha != (int)AlphaKind.None)
        {
            a = samples[s0 + alphaSample];
            if (alpha == (int)AlphaKind.Associated)
            {
                r = Unpremultiply(r, a);
                g = Unpremultiply(g, a);
                b = Unpremultiply(b, a);
            }
        }

        destination[o] = (byte)r;
        destination[o + 1] = (byte)g;
        destination[o + 2] = (byte)b;
        if (bpp == 4)
        {
            destination[o + 3] = (byte)a;
        }
    }

    /// <summary>Straight colour from premultiplied, rounded, as OpenSlide's un-premultiply does.</summary>
    public static int Unpremultiply(int c, int a)
    {
        if (a == 0)
        {
            return 0;
        }

        if (a == 255)
        {
            return c;
        }

        int v = ((c * 255) + (a / 2)) / a;
        return v > 255 ? 255 : v;
    }
}
