namespace Reader.Core.Plan;

/// <summary>
/// Where a region of level pixels [X, X+Width) x [Y, Y+Height) meets a tile grid: its in-level part
/// (patch pixels [InsideX0, InsideX1) x [InsideY0, InsideY1); everything else is fill) and the tiles that
/// part covers (Columns x Rows from FirstColumn, FirstRow). Computed once per region; the CPU assembler
/// and the GPU assembly kernel both place tiles from it.
/// </summary>
internal readonly record struct RegionPlan(long X, long Y, int Width, int Height, long FirstColumn, long FirstRow, int Columns, int Rows, int InsideX0, int InsideX1, int InsideY0, int InsideY1)
{
    /// <summary>True when no pixel of the region lies inside the level.</summary>
    public bool IsEmpty => Columns == 0;

    /// <summary>True when every pixel of the region lies inside the level (nothing to fill).</summary>
    public bool IsInside => InsideX0 == 0 && InsideY0 == 0 && InsideX1 == Width && InsideY1 == Height;

    public static RegionPlan Of(TileGrid grid, long x, long y, int width, int height)
    {
        long x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        long x1 = Math.Min(x + width, grid.ImageWidth), y1 = Math.Min(y + height, grid.ImageHeight);
        if (x0 >= x1 || y0 >= y1)
        {
            return new RegionPlan(x, y, width, height, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        long c0 = x0 / grid.TileWidth, c1 = (x1 - 1) / grid.TileWidth;
        long r0 = y0 / grid.TileHeight, r1 = (y1 - 1) / grid.TileHeight;
        return new RegionPlan(x, y, width, height, c0, r0, (int)(c1 - c0 + 1), (int)(r1 - r0 + 1), (int)(x0 - x), (int)(x1 - x), (int)(y0 - y), (int)(y1 - y));
    }

    /// <summary>Patch pixel x plus this is the x inside the plan's first tile column.</summary>
    public int OffsetX(TileGrid grid) => IsEmpty ? 0 : (int)(X - (FirstColumn * grid.TileWidth));

    /// <summary>Patch pixel y plus this is the y inside the plan's first tile row.</summary>
    public int OffsetY(TileGrid grid) => IsEmpty ? 0 : (int)(Y - (FirstRow * grid.TileHeight));

    /// <summary>
    /// The part of tile (<paramref name="column"/>, <paramref name="row"/>) the region shows: its rectangle in patch
    /// pixels and where that rectangle starts inside the tile.
    /// </summary>
    public TilePart Part(TileGrid grid, long column, long row)
    {
        long tileLeft = column * grid.TileWidth, tileTop = row * grid.TileHeight;
        long left = Math.Max(tileLeft, X + InsideX0), right = Math.Min(tileLeft + grid.TileWidth, X + InsideX1);
        long top = Math.Max(tileTop, Y + InsideY0), bottom = Math.Min(tileTop + grid.TileHeight, Y + InsideY1);
        return new TilePart((int)(left - X), (int)(top - Y), (int)(right - left), (int)(bottom - top), (int)(left - tileLeft), (int)(top - tileTop));
    }
}

/// <summary>A tile's part of a region: patch pixels [PatchX, PatchX+Width) x [PatchY, PatchY+Height), starting at (TileX, TileY) in the tile.</summary>
internal readonly record struct TilePart(int PatchX, int PatchY, int Width, int Height, int TileX, int TileY);
