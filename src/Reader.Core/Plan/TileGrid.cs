namespace Reader.Core.Plan;

/// <summary>
/// The tile geometry of one image. Strips are tiles as wide as the image, so every
/// image is read through the same grid. Edge tiles are stored full size; only their
/// in-image part is ever used.
/// </summary>
internal readonly record struct TileGrid(long ImageWidth, long ImageHeight, int TileWidth, int TileHeight)
{
    public long TilesAcross => (ImageWidth + TileWidth - 1) / TileWidth;

    public long TilesDown => (ImageHeight + TileHeight - 1) / TileHeight;

    public long TileCount => TilesAcross * TilesDown;

    /// <summary>Width of the in-image part of a tile in column <paramref name="tx"/>.</summary>
    public int VisibleWidth(long tx) => (int)Math.Min(TileWidth, ImageWidth - (tx * TileWidth));

    /// <summary>Height of the in-image part of a tile in row <paramref name="ty"/>.</summary>
    public int VisibleHeight(long ty) => (int)Math.Min(TileHeight, ImageHeight - (ty * TileHeight));

    public long IndexOf(long tx, long ty) => (ty * TilesAcross) + tx;
}
