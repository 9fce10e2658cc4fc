using Reader.Core;
using Reader.Core.Sources;
using Reader.Core.Formats;
using Reader.Core.Open;
using Reader.Reference;

namespace Reader.Bench;

/// <summary>
/// The physical limit: the compressed level-0 tiles a sweep touches, held in memory with the
/// JPEGTables spliced in (untimed), decoded by libjpeg-turbo's TurboJPEG alone.
/// </summary>
internal sealed class RawTiles
{
    private RawTiles(List<byte[]> tiles, int tileWidth, int tileHeight)
    {
        Tiles = tiles;
        TileWidth = tileWidth;
        TileHeight = tileHeight;
    }

    public List<byte[]> Tiles { get; }

    public int TileWidth { get; }

    public int TileHeight { get; }

    /// <summary>Loads the compressed tiles (tx, ty) listed, level 0.</summary>
    public static RawTiles Load(string path, IEnumerable<(long Tx, long Ty)> cells)
    {
        using SlideSource file = SlideSource.OpenFile(path);
        TiffContainer tiff = TiffContainer.Read(file, SlideLimits.Default);
        TiffImage image = SlideFormats.Detect(tiff).Levels[0];
        byte[]? tables = image.Directory.GetBytes(TiffTag.JpegTables);
        var tiles = new List<byte[]>();
        foreach ((long tx, long ty) in cells)
        {
            if (!image.TryGetChunk(image.Grid.IndexOf(tx, ty), "raw tile", out long offset, out int length))
            {
                continue;
            }

            var raw = new byte[length];
            file.ReadExactly(offset, raw, "raw tile");
            tiles.Add(TurboJpeg.Splice(tables, raw));
        }

        return new RawTiles(tiles, image.Grid.TileWidth, image.Grid.TileHeight);
    }

    /// <summary>Decodes tiles [start, end) on this thread; returns how many.</summary>
    public int Decode(int start, int end)
    {
        IntPtr handle = TurboJpeg.CreateHandle();
        try
        {
            var output = new byte[TileWidth * TileHeight * 3];
            for (int i = start; i < end; i++)
            {
                if (!TurboJpeg.DecodeInto(handle, Tiles[i], output, TileWidth, TileHeight, TurboJpeg.PixelRgb))
                {
                    throw new InvalidOperationException($"TurboJPEG failed on tile {i}");
                }
            }

            return end - start;
        }
        finally
        {
            TurboJpeg.DestroyHandle(handle);
        }
    }
}
