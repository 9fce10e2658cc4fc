using Reader.Core.Decode;
using Reader.Core.Open;
using Reader.Core.Sources;

namespace Reader.Core.Formats;

/// <summary>
/// A TIFF image (tiled or stripped; strips are tiles as wide as the image) as a tile source. Its encoding
/// comes from the tags and is checked on first use: at open for levels, at first read for associated
/// images, so an odd thumbnail cannot stop a slide from opening.
/// </summary>
internal sealed class TiffTileSource : ITileSource
{
    private readonly Lazy<TileEncoding> encoding;

    public TiffTileSource(TiffImage image, TileCodecRegistry codecs)
    {
        Image = image;
        encoding = new Lazy<TileEncoding>(() => TiffEncoding.For(image, codecs), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public TiffImage Image { get; }

    public string Name => Image.Directory.Name;

    public long Width => Image.Width;

    public long Height => Image.Height;

    public TileEncoding Encoding => encoding.Value;

    public int GetTileRanges(long column, long row, Span<ByteRange> ranges)
    {
        long index = Image.Grid.IndexOf(column, row);
        int planes = Encoding.ChunksPerTile;
        long tilesPerPlane = Image.Grid.TileCount;
        for (int s = 0; s < planes; s++)
        {
            if (!Image.TryGetChunkRange((s * tilesPerPlane) + index, out ranges[s]))
            {
                return 0;
            }
        }

        return planes;
    }

    /// <summary>Checks the encoding and the tile index now (open time) rather than at the first read.</summary>
    public void Validate()
    {
        _ = Encoding;
        Image.ValidateIndex();
    }
}
