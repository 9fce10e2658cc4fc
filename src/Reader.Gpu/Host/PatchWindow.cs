using Reader.Core.Plan;

namespace Reader.Gpu.Host;

/// <summary>
/// A patch at level pixel (X, Y): its in-level part (patch pixel coordinates, [InsideX0, InsideX1) x
/// [InsideY0, InsideY1)) and the tiles that part covers (Columns x Rows from FirstColumn, FirstRow).
/// </summary>
internal readonly record struct PatchWindow(long X, long Y, int Width, int Height, long FirstColumn, long FirstRow, int Columns, int Rows, int InsideX0, int InsideX1, int InsideY0, int InsideY1)
{
    public static PatchWindow Of(TileGrid grid, long x, long y, int width, int height)
    {
        long x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        long x1 = Math.Min(x + width, grid.ImageWidth), y1 = Math.Min(y + height, grid.ImageHeight);
        if (x0 >= x1 || y0 >= y1)
        {
            return new PatchWindow(x, y, width, height, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        long c0 = x0 / grid.TileWidth, c1 = (x1 - 1) / grid.TileWidth;
        long r0 = y0 / grid.TileHeight, r1 = (y1 - 1) / grid.TileHeight;
        return new PatchWindow(x, y, width, height, c0, r0, (int)(c1 - c0 + 1), (int)(r1 - r0 + 1), (int)(x0 - x), (int)(x1 - x), (int)(y0 - y), (int)(y1 - y));
    }

    /// <summary>Patch pixel x to the x of the window's first tile: add this.</summary>
    public int OffsetX(TileGrid grid) => (int)(X - (FirstColumn * grid.TileWidth));

    public int OffsetY(TileGrid grid) => (int)(Y - (FirstRow * grid.TileHeight));
}
