using Reader.Core;
using Reader.Core.Sources;
using Reader.Core.Formats;
using Reader.Core.Open;
using Reader.Reference;

namespace Reader.Tests.Infrastructure;

/// <summary>
/// Expected pixels for real files: our parser supplies only the geometry and table bytes;
/// decoding is done by libjpeg-turbo's TurboJPEG (JPEG) or libtiff (everything else, and
/// JPEG with unusual component counts, where libtiff passes components through).
/// </summary>
internal sealed class RealTileReference : IDisposable
{
    private readonly string path;
    private readonly SlideSource file;
    private readonly TiffContainer tiff;
    private readonly TiffLayout layout;
    private readonly Dictionary<(int, long, long), byte[]> tiles = [];

    public RealTileReference(string path)
    {
        this.path = path;
        file = SlideSource.OpenFile(path);
        tiff = TiffContainer.Read(file, SlideLimits.Default);
        layout = SlideFormats.Detect(tiff);
    }

    public byte[] Region(int level, long levelX, long levelY, int width, int height, PixelFormat format, FillColor fill)
    {
        TiffImage image = layout.Levels[level];
        int bpp = format.BytesPerPixel();
        var output = new byte[width * height * bpp];
        int tw = image.Grid.TileWidth, th = image.Grid.TileHeight;
        for (int j = 0; j < height; j++)
        {
            for (int i = 0; i < width; i++)
            {
                long x = levelX + i, y = levelY + j;
                Span<byte> pixel = output.AsSpan(((j * width) + i) * bpp, bpp);
                if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
                {
                    pixel[0] = fill.R;
                    pixel[1] = fill.G;
                    pixel[2] = fill.B;
                    if (bpp == 4)
                    {
                        pixel[3] = fill.A;
                    }

                    continue;
                }

                long tx = x / tw, ty = y / th;
                byte[] tile = Tile(level, image, tx, ty);
                int o = (int)((((y - (ty * th)) * tw) + (x - (tx * tw))) * 4);
                pixel[0] = tile[o];
                pixel[1] = tile[o + 1];
                pixel[2] = tile[o + 2];
                if (bpp == 4)
                {
                    pixel[3] = tile[o + 3];
                }
            }
        }

        return output;
    }

    public void Dispose() => file.Dispose();

    private byte[] Tile(int level, TiffImage image, long tx, long ty)
    {
        if (tiles.TryGetValue((level, tx, ty), out byte[]? cached))
        {
            return cached;
        }

        TiffDirectory dir = image.Directory;
        int directory = tiff.Directories.IndexOf(dir);
        Assert.True(directory >= 0, "reference supports main-chain levels only");
        int tw = image.Grid.TileWidth, th = image.Grid.TileHeight;
        long index = image.Grid.IndexOf(tx, ty);
        int spp = image.SamplesPerPixel;
        int photometric = image.Photometric;
        ulong[] extra = dir.GetIntegers(TiffTag.ExtraSamples, 16) ?? [];
        int colorSamples = photometric == 2 || photometric == 6 ? 3 : 1;
        int alphaKind = spp > colorSamples && extra.Length > 0 ? (int)extra[0] : 0;
        var rgba = new byte[tw * th * 4];

        if (image.Compression == 7 && (spp == 1 || spp == 3 || spp == 4))
        {
            byte[] jpeg = TurboJpeg.Splice(dir.GetBytes(TiffTag.JpegTables), LibTiff.ReadRawTile(path, directory, index));
            byte[] samples = photometric switch
            {
                6 => TurboJpeg.Decode(jpeg, TurboJpeg.PixelRgb, out _, out _),
                _ when spp == 1 => TurboJpeg.Decode(jpeg, TurboJpeg.PixelGray, out _, out _),
                _ when spp == 4 => TurboJpeg.Decode(jpeg, TurboJpeg.PixelCmyk, out _, out _),
                _ => TurboJpeg.DecodeRawInterleaved(jpeg, out _, out _),
            };
            int n = photometric == 6 ? 3 : spp;
            ToRgba(samples, n, colorSamples, photometric, alphaKind, planeBytes: 0, rgba, tw * th);
        }
        else
        {
            bool planar = image.Planar == 2 && spp > 1;
            int planeBytes = tw * th;
            var samples = new byte[tw * th * spp];
            int bytesPerSample = (dir.GetIntegers(TiffTag.BitsPerSample, 16) ?? [8])[0] == 16 ? 2 : 1;
            if (planar)
            {
                for (int s = 0; s < spp; s++)
                {
                    Narrow(LibTiff.ReadChunk(path, directory, (s * image.Grid.TileCount) + index, image.IsTiled, planeBytes * bytesPerSample), bytesPerSample).CopyTo(samples, s * planeBytes);
                }
            }
            else
            {
                Narrow(LibTiff.ReadChunk(path, directory, index, image.IsTiled, samples.Length * bytesPerSample), bytesPerSample).CopyTo(samples, 0);
            }

            ToRgba(samples, spp, colorSamples, photometric, alphaKind, planar ? planeBytes : 0, rgba, tw * th);
        }

        tiles[(level, tx, ty)] = rgba;
        return rgba;
    }

    /// <summary>libtiff hands 16-bit samples back in host (little-endian) order; its RGBA interface narrows them as (v + 128) / 257.</summary>
    private static byte[] Narrow(byte[] samples, int bytesPerSample)
    {
        if (bytesPerSample == 1)
        {
            return samples;
        }

        var narrow = new byte[samples.Length / 2];
        for (int i = 0; i < narrow.Length; i++)
        {
            narrow[i] = (byte)((BitConverter.ToUInt16(samples, i * 2) + 128) / 257);
        }

        return narrow;
    }

    private static void ToRgba(byte[] samples, int spp, int colorSamples, int photometric, int alphaKind, int planeBytes, byte[] rgba, int pixels)
    {
        for (int i = 0; i < pixels; i++)
        {
            byte Sample(int s) => planeBytes > 0 ? samples[(s * planeBytes) + i] : samples[(i * spp) + s];
            int r, g, b;
            if (colorSamples == 3)
            {
                r = Sample(0);
                g = Sample(1);
                b = Sample(2);
            }
            else
            {
                r = g = b = photometric == 0 ? 255 - Sample(0) : Sample(0);
            }

            int a = 255;
            if (alphaKind is 1 or 2)
            {
                a = Sample(colorSamples);
                if (alphaKind == 1)
                {
                    r = Unpremultiply(r, a);
                    g = Unpremultiply(g, a);
                    b = Unpremultiply(b, a);
                }
            }

            rgba[4 * i] = (byte)r;
            rgba[(4 * i) + 1] = (byte)g;
            rgba[(4 * i) + 2] = (byte)b;
            rgba[(4 * i) + 3] = (byte)a;
        }
    }

    private static int Unpremultiply(int c, int a) => a == 0 ? 0 : a == 255 ? c : Math.Min(255, ((c * 255) + (a / 2)) / a);
}
