using Reader.Core;
using Reader.Reference;
using Reader.SlideWriter;

namespace Reader.Tests.Infrastructure;

/// <summary>
/// The expected pixels of a region of a synthetic slide, computed without our reader:
/// JPEG tiles fetched raw by libtiff, joined with the JPEGTables and decoded by TurboJPEG;
/// lossless slides re-rendered from the content function (the writer's source pixels).
/// Level coordinates follow our documented rule: floor(level-0 coordinate / downsample).
/// </summary>
internal sealed class ReferenceRegion(string path, SyntheticSlideSpec spec)
{
    private readonly Dictionary<(int, long, long), byte[]> tiles = [];
    private readonly byte[]? tables = SyntheticSlideWriter.JpegTablesFor(spec);

    public byte[] Build(int level, long levelX, long levelY, int width, int height, PixelFormat format, FillColor fill)
    {
        (long lw, long lh) = spec.LevelSize(level);
        int bpp = format.BytesPerPixel();
        var output = new byte[width * height * bpp];
        for (int j = 0; j < height; j++)
        {
            for (int i = 0; i < width; i++)
            {
                long x = levelX + i, y = levelY + j;
                int o = ((j * width) + i) * bpp;
                if (x < 0 || y < 0 || x >= lw || y >= lh)
                {
                    output[o] = fill.R;
                    output[o + 1] = fill.G;
                    output[o + 2] = fill.B;
                    if (bpp == 4)
                    {
                        output[o + 3] = fill.A;
                    }

                    continue;
                }

                Pixel(level, x, y, output.AsSpan(o, bpp));
            }
        }

        return output;
    }

    private void Pixel(int level, long x, long y, Span<byte> pixel)
    {
        int tw = spec.TileWidth, th = spec.TileHeight;
        long tx = x / tw, ty = y / th;
        byte[] tile = Tile(level, tx, ty); // RGBA, tw x th
        int o = (int)((((y - (ty * th)) * tw) + (x - (tx * tw))) * 4);
        pixel[0] = tile[o];
        pixel[1] = tile[o + 1];
        pixel[2] = tile[o + 2];
        if (pixel.Length == 4)
        {
            pixel[3] = tile[o + 3];
        }
    }

    private byte[] Tile(int level, long tx, long ty)
    {
        if (tiles.TryGetValue((level, tx, ty), out byte[]? cached))
        {
            return cached;
        }

        int tw = spec.TileWidth, th = spec.TileHeight;
        var rgba = new byte[tw * th * 4];
        if (spec.Compression == SlideCompression.Jpeg)
        {
            (long lw, _) = spec.LevelSize(level);
            long across = (lw + tw - 1) / tw;
            byte[] raw = LibTiff.ReadRawTile(path, SyntheticSlideWriter.DirectoryOf(spec, level), (ty * across) + tx);
            byte[] jpeg = TurboJpeg.Splice(tables, raw);
            switch (spec.Color)
            {
                case SlideColor.Gray:
                {
                    byte[] gray = TurboJpeg.Decode(jpeg, TurboJpeg.PixelGray, out _, out _);
                    for (int i = 0; i < tw * th; i++)
                    {
                        rgba[4 * i] = rgba[(4 * i) + 1] = rgba[(4 * i) + 2] = gray[i];
                        rgba[(4 * i) + 3] = 255;
                    }

                    break;
                }

                case SlideColor.RgbCodedJpeg:
                    Expand(TurboJpeg.DecodeRawInterleaved(jpeg, out _, out _), rgba);
                    break;
                default:
                    Expand(TurboJpeg.Decode(jpeg, TurboJpeg.PixelRgb, out _, out _), rgba);
                    break;
            }
        }
        else
        {
            int spp = spec.SamplesPerPixel;
            var samples = new byte[tw * th * spp];
            SyntheticContent.RenderSamples(spec, level, tx * tw, ty * th, tw, th, samples, tw * spp);
            for (int i = 0; i < tw * th; i++)
            {
                switch (spp)
                {
                    case 1:
                        rgba[4 * i] = rgba[(4 * i) + 1] = rgba[(4 * i) + 2] = samples[i];
                        rgba[(4 * i) + 3] = 255;
                        break;
                    case 3:
                        rgba[4 * i] = samples[3 * i];
                        rgba[(4 * i) + 1] = samples[(3 * i) + 1];
                        rgba[(4 * i) + 2] = samples[(3 * i) + 2];
                        rgba[(4 * i) + 3] = 255;
                        break;
                    default:
                        samples.AsSpan(4 * i, 4).CopyTo(rgba.AsSpan(4 * i));
                        break;
                }
            }
        }

        tiles[(level, tx, ty)] = rgba;
        return rgba;
    }

    private static void Expand(byte[] rgb, byte[] rgba)
    {
        for (int i = 0; i < rgb.Length / 3; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[(4 * i) + 1] = rgb[(3 * i) + 1];
            rgba[(4 * i) + 2] = rgb[(3 * i) + 2];
            rgba[(4 * i) + 3] = 255;
        }
    }
}
