using System.Globalization;
using Reader.Core;
using Reader.Core.Loader;

namespace Reader.Tiling;

/// <summary>
/// A slide as a DeepZoom image, cut as OpenSlide's deepzoom generator (limit_bounds off) and vips dzsave cut it:
/// level sizes halve, rounding up, from the full image down to 1 x 1 (level 0 is 1 x 1); a level has
/// ceil(size / tile) columns and rows; a tile is tile-size pixels plus <see cref="Overlap"/> on each side that has a
/// neighbour. Pixels: each tile is read from the slide level with the largest downsample not above the DeepZoom
/// level's, area-averaged to size (<see cref="AreaResampler"/>, the loader's filter) and composited on white.
/// Shared by <c>wsi serve</c> and <c>wsi tile --format dzi</c>, so both give the same pixels.
/// </summary>
internal sealed class DeepZoomPyramid
{
    private readonly Slide slide;
    private readonly (long Width, long Height)[] levels;

    public DeepZoomPyramid(Slide slide, int tileSize = 254, int overlap = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        this.slide = slide;
        TileSize = tileSize;
        Overlap = overlap;
        levels = LevelSizes(slide.Levels[0].Width, slide.Levels[0].Height);
    }

    public int TileSize { get; }

    public int Overlap { get; }

    public int LevelCount => levels.Length;

    /// <summary>Level sizes, smallest (1 x 1) first: DeepZoom level numbering.</summary>
    public static (long Width, long Height)[] LevelSizes(long width, long height)
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

    public (long Width, long Height) LevelSize(int level) => levels[level];

    /// <summary>Columns and rows of tiles at <paramref name="level"/>.</summary>
    public (long Columns, long Rows) TileCount(int level)
    {
        (long width, long height) = levels[level];
        return ((width + TileSize - 1) / TileSize, (height + TileSize - 1) / TileSize);
    }

    /// <summary>The tile's rectangle at its DeepZoom level, overlap included; false when it does not exist.</summary>
    public bool TryGetTile(int level, long column, long row, out long left, out long top, out int width, out int height)
    {
        left = top = 0;
        width = height = 0;
        if (level < 0 || level >= levels.Length)
        {
            return false;
        }

        (long levelWidth, long levelHeight) = levels[level];
        (long columns, long rows) = TileCount(level);
        if (column < 0 || row < 0 || column >= columns || row >= rows)
        {
            return false;
        }

        left = (column * TileSize) - (column > 0 ? Overlap : 0);
        top = (row * TileSize) - (row > 0 ? Overlap : 0);
        width = (int)(Math.Min(TileSize, levelWidth - (column * TileSize)) + (column > 0 ? Overlap : 0) + (column < columns - 1 ? Overlap : 0));
        height = (int)(Math.Min(TileSize, levelHeight - (row * TileSize)) + (row > 0 ? Overlap : 0) + (row < rows - 1 ? Overlap : 0));
        return true;
    }

    /// <summary>Level-0 pixels per pixel of DeepZoom level <paramref name="level"/>.</summary>
    public double Downsample(int level) => Math.Pow(2, levels.Length - 1 - level);

    /// <summary>The tile's RGB pixels (null when it does not exist).</summary>
    public byte[]? ReadTile(int level, long column, long row)
    {
        if (!TryGetTile(level, column, row, out long left, out long top, out int tileWidth, out int tileHeight))
        {
            return null;
        }

        double downsample = Downsample(level);
        SlideLevel source = slide.Levels.Last(l => l.Downsample <= downsample + 1e-9 || l.Index == 0);
        double scale = downsample / source.Downsample;
        long sx = (long)Math.Floor(left * scale), sy = (long)Math.Floor(top * scale);
        int sw = (int)Math.Clamp(Math.Ceiling(tileWidth * scale), 1, Math.Max(1, source.Width - sx));
        int sh = (int)Math.Clamp(Math.Ceiling(tileHeight * scale), 1, Math.Max(1, source.Height - sy));
        byte[] rgba = slide.ReadRegion((long)Math.Round(sx * source.Downsample), (long)Math.Round(sy * source.Downsample), source.Index, sw, sh, PixelFormat.Rgba32);
        byte[] rgb = OnWhite(rgba, sw * sh);
        if (sw == tileWidth && sh == tileHeight)
        {
            return rgb;
        }

        var resized = new byte[tileWidth * tileHeight * 3];
        AreaResampler.Resample(rgb, sw, sh, 3, resized, tileWidth, tileHeight);
        return resized;
    }

    /// <summary>The <c>.dzi</c> descriptor (the DeepZoom 2008 schema, one line).</summary>
    public string Descriptor(string format) => string.Create(CultureInfo.InvariantCulture,
        $"""<?xml version="1.0" encoding="UTF-8"?><Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="{format}" Overlap="{Overlap}" TileSize="{TileSize}"><Size Height="{slide.Levels[0].Height}" Width="{slide.Levels[0].Width}"/></Image>""");

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
