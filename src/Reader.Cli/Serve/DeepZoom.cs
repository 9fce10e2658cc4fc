using System.Globalization;
using Reader.Core;
using Reader.Core.Loader;
using Reader.Native;
using Reader.Native.Jpeg;
using StbImageWriteSharp;

namespace Reader.Cli.Serve;

/// <summary>
/// A slide as a DeepZoom image, the way OpenSlide's deepzoom generator cuts it: 254-pixel tiles with a 1-pixel
/// overlap, levels halving (rounding up) from the full image down to 1x1; each tile read from the slide level with
/// the largest downsample not above the DeepZoom level's (through the slide's tile cache), area-averaged to size
/// (<see cref="AreaResampler"/>, the loader's filter),
/// composited on white and encoded as JPEG (PNG when the native encoder is unavailable).
/// </summary>
internal sealed class DeepZoom(Slide slide)
{
    public const int TileSize = 254;
    public const int Overlap = 1;

    private readonly (long Width, long Height)[] levels = Levels(slide.Levels[0].Width, slide.Levels[0].Height);

    public int LevelCount => levels.Length;

    public static bool Jpeg => NativeShim.IsAvailable;

    public static string Format => Jpeg ? "jpeg" : "png";

    public string Descriptor() => string.Create(CultureInfo.InvariantCulture,
        $"""<?xml version="1.0" encoding="UTF-8"?><Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="{Format}" Overlap="{Overlap}" TileSize="{TileSize}"><Size Height="{slide.Levels[0].Height}" Width="{slide.Levels[0].Width}"/></Image>""");

    /// <summary>The encoded tile, or null when the level or tile does not exist.</summary>
    public byte[]? Tile(int level, long column, long row)
    {
        if (level < 0 || level >= levels.Length)
        {
            return null;
        }

        (long width, long height) = levels[level];
        long columns = (width + TileSize - 1) / TileSize, rows = (height + TileSize - 1) / TileSize;
        if (column < 0 || row < 0 || column >= columns || row >= rows)
        {
            return null;
        }

        // The tile's extent at this DeepZoom level, overlap included.
        long left = column * TileSize - (column > 0 ? Overlap : 0);
        long top = row * TileSize - (row > 0 ? Overlap : 0);
        int tileWidth = (int)(Math.Min(TileSize, width - (column * TileSize)) + (column > 0 ? Overlap : 0) + (column < columns - 1 ? Overlap : 0));
        int tileHeight = (int)(Math.Min(TileSize, height - (row * TileSize)) + (row > 0 ? Overlap : 0) + (row < rows - 1 ? Overlap : 0));

        double downsample = Math.Pow(2, levels.Length - 1 - level);
        SlideLevel source = slide.Levels.Last(l => l.Downsample <= downsample + 1e-9 || l.Index == 0);
        double scale = downsample / source.Downsample;
        long sx = (long)Math.Floor(left * scale), sy = (long)Math.Floor(top * scale);
        int sw = (int)Math.Clamp(Math.Ceiling(tileWidth * scale), 1, Math.Max(1, source.Width - sx));
        int sh = (int)Math.Clamp(Math.Ceiling(tileHeight * scale), 1, Math.Max(1, source.Height - sy));
        byte[] rgba = slide.ReadRegion((long)Math.Round(sx * source.Downsample), (long)Math.Round(sy * source.Downsample), source.Index, sw, sh, PixelFormat.Rgba32);
        byte[] rgb = OnWhite(rgba, sw * sh);
        if (sw != tileWidth || sh != tileHeight)
        {
            var resized = new byte[tileWidth * tileHeight * 3];
            AreaResampler.Resample(rgb, sw, sh, 3, resized, tileWidth, tileHeight);
            rgb = resized;
        }

        return Encode(rgb, tileWidth, tileHeight);
    }

    /// <summary>An associated image (label, macro, thumbnail) as JPEG (or PNG).</summary>
    public byte[] Associated(string name)
    {
        (long w, long h) = slide.GetAssociatedImageSize(name);
        return Encode(slide.ReadAssociatedImage(name), (int)w, (int)h);
    }

    public static byte[] Encode(byte[] rgb, int width, int height)
    {
        if (Jpeg)
        {
            return NativeJpegEncoder.Encode(rgb, width, height, width * 3, 3, JpegColorSpace.YCbCr, 80, 2, 2, 0, false);
        }

        using var png = new MemoryStream();
        new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, png);
        return png.ToArray();
    }

    /// <summary>DeepZoom level sizes, smallest (1x1) first.</summary>
    private static (long Width, long Height)[] Levels(long width, long height)
    {
        var sizes = new List<(long, long)> { (width, height) };
        while (width > 1 || height > 1)
        {
            width = Math.Max(1, (width + 1) / 2);
            height = Math.Max(1, (height + 1) / 2);
            sizes.Add((width, height));
        }

        sizes.Reverse();
        return [.. sizes];
    }

    /// <summary>Straight RGBA over white, as OpenSlide's deepzoom composites transparent areas.</summary>
    private static byte[] OnWhite(byte[] rgba, int pixels)
    {
        var rgb = new byte[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            int a = rgba[(i * 4) + 3];
            for (int c = 0; c < 3; c++)
            {
                rgb[(i * 3) + c] = (byte)(((rgba[(i * 4) + c] * a) + (255 * (255 - a)) + 127) / 255);
            }
        }

        return rgb;
    }
}
