using Reader.Core;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.Tiling;
using StbImageWriteSharp;

namespace Reader.Cli.Serve;

/// <summary>
/// A slide as a DeepZoom image for the viewer: the geometry and pixels of <see cref="DeepZoomPyramid"/> (OpenSlide's
/// deepzoom rules: 254-pixel tiles, 1-pixel overlap, the tiles <c>wsi tile --format dzi</c> writes), encoded as JPEG
/// (PNG when the native encoder is unavailable).
/// </summary>
internal sealed class DeepZoom(Slide slide)
{
    public const int TileSize = 254;
    public const int Overlap = 1;

    private readonly DeepZoomPyramid pyramid = new(slide, TileSize, Overlap);

    public int LevelCount => pyramid.LevelCount;

    public static bool Jpeg => NativeShim.IsAvailable;

    public static string Format => Jpeg ? "jpeg" : "png";

    public string Descriptor() => pyramid.Descriptor(Format);

    /// <summary>The encoded tile, or null when the level or tile does not exist.</summary>
    public byte[]? Tile(int level, long column, long row)
    {
        if (!pyramid.TryGetTile(level, column, row, out _, out _, out int width, out int height))
        {
            return null;
        }

        return Encode(pyramid.ReadTile(level, column, row)!, width, height);
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
}
