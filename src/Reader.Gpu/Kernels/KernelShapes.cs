namespace Reader.Gpu.Kernels;

/// <summary>Scalars of the colour kernel: the tile slot geometry.</summary>
internal readonly struct SlotShape
{
    public SlotShape(int tileWidth, int tileHeight, int bytesPerPixel)
    {
        TileWidth = tileWidth;
        TileHeight = tileHeight;
        BytesPerPixel = bytesPerPixel;
        SlotBytes = (long)tileWidth * tileHeight * bytesPerPixel;
    }

    public int TileWidth { get; }

    public int TileHeight { get; }

    public int BytesPerPixel { get; }

    /// <summary>Bytes of one tile slot: rows of TileWidth pixels, packed.</summary>
    public long SlotBytes { get; }
}

/// <summary>Scalars of the assembly kernel: the patch size, the slot geometry, the fill colour.</summary>
internal readonly struct PatchShape
{
    public PatchShape(int width, int height, SlotShape slots, byte fillR, byte fillG, byte fillB, byte fillA)
    {
        Width = width;
        Height = height;
        Slots = slots;
        FillR = fillR;
        FillG = fillG;
        FillB = fillB;
        FillA = fillA;
    }

    public int Width { get; }

    public int Height { get; }

    public SlotShape Slots { get; }

    public byte FillR { get; }

    public byte FillG { get; }

    public byte FillB { get; }

    public byte FillA { get; }
}

/// <summary>
/// The per-patch int record the assembly reads: the in-level part of the patch (patch pixel coordinates),
/// the offset from patch pixels to the patch's first tile, and its window into the cell-to-slot table.
/// </summary>
internal static class PatchRecord
{
    public const int InsideX0 = 0;
    public const int InsideX1 = 1;
    public const int InsideY0 = 2;
    public const int InsideY1 = 3;
    public const int OffsetX = 4;
    public const int OffsetY = 5;
    public const int Columns = 6;
    public const int CellBase = 7;
    public const int Size = 8;
}
