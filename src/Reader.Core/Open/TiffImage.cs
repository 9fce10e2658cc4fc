using Reader.Core.Plan;
using Reader.Core.Sources;

namespace Reader.Core.Open;

/// <summary>
/// One directory read as an image: size, tile grid and the tags that say how to decode it.
/// Building one never fails for an unsupported pixel format; TileEncoding.For
/// does that check, so an odd thumbnail cannot stop a slide from opening.
/// </summary>
internal sealed class TiffImage
{
    private volatile ChunkIndex? index;

    private TiffImage(TiffDirectory directory)
    {
        Directory = directory;
    }

    public TiffDirectory Directory { get; }

    public string Path => Directory.Container.Path;

    public long Width { get; private init; }

    public long Height { get; private init; }

    public bool IsTiled { get; private init; }

    public TileGrid Grid { get; private init; }

    public int Compression { get; private init; }

    public int Photometric { get; private init; }

    public int SamplesPerPixel { get; private init; }

    public int Planar { get; private init; }

    public uint NewSubfileType { get; private init; }

    public bool IsReducedResolution => (NewSubfileType & 1) != 0 || Directory.GetInteger(TiffTag.SubfileType, 0) == 2;

    public bool IsMask => (NewSubfileType & 4) != 0 || Photometric == TiffPhotometric.Mask;

    /// <summary>Tiles per sample plane times planes: the number of offsets the grid needs.</summary>
    public long ChunkCount => Grid.TileCount * (Planar == 2 ? SamplesPerPixel : 1);

    public static TiffImage Describe(TiffDirectory dir)
    {
        string path = dir.Container.Path;
        SlideLimits limits = dir.Container.Limits;
        ulong width = dir.GetRequiredInteger(TiffTag.ImageWidth, "ImageWidth");
        ulong height = dir.GetRequiredInteger(TiffTag.ImageLength, "ImageLength");
        if (width == 0 || height == 0)
        {
            throw new CorruptSlideException(path, dir.Name, $"image size {width}x{height} is empty");
        }

        if (width > int.MaxValue * 64UL || height > int.MaxValue * 64UL)
        {
            throw new SlideLimitException(path, dir.Name, $"image size {width}x{height} is beyond any slide");
        }

        bool tiled = dir.Has(TiffTag.TileWidth) || dir.Has(TiffTag.TileLength);
        ulong tileWidth, tileHeight;
        if (tiled)
        {
            tileWidth = dir.GetRequiredInteger(TiffTag.TileWidth, "TileWidth");
            tileHeight = dir.GetRequiredInteger(TiffTag.TileLength, "TileLength");
            if (tileWidth == 0 || tileHeight == 0)
            {
                throw new CorruptSlideException(path, dir.Name, $"tile size {tileWidth}x{tileHeight} is empty");
            }
        }
        else
        {
            tileWidth = width;
            ulong rows = dir.GetInteger(TiffTag.RowsPerStrip, uint.MaxValue);
            if (rows == 0)
            {
                throw new CorruptSlideException(path, dir.Name, "RowsPerStrip is 0");
            }

            tileHeight = Math.Min(rows, height);
        }

        if (tileWidth > int.MaxValue || tileHeight > int.MaxValue || tileWidth * tileHeight > (ulong)limits.MaxTilePixels)
        {
            throw new SlideLimitException(path, dir.Name, $"{(tiled ? "tile" : "strip")} size {tileWidth}x{tileHeight} exceeds the limit of {limits.MaxTilePixels} pixels per tile");
        }

        var grid = new TileGrid((long)width, (long)height, (int)tileWidth, (int)tileHeight);
        int spp = (int)Math.Min(dir.GetInteger(TiffTag.SamplesPerPixel, 1), 65535);
        int planar = (int)dir.GetInteger(TiffTag.PlanarConfiguration, 1);
        long chunks = grid.TileCount * (planar == 2 ? Math.Max(spp, 1) : 1);
        if (grid.TileCount > limits.MaxTilesPerLevel || chunks > limits.MaxTilesPerLevel)
        {
            throw new SlideLimitException(path, dir.Name, $"{grid.TileCount} tiles exceed the limit of {limits.MaxTilesPerLevel} per image");
        }

        int photometric = (int)dir.GetInteger(TiffTag.Photometric, spp >= 3 ? (ulong)TiffPhotometric.Rgb : TiffPhotometric.MinIsBlack);
        return new TiffImage(dir)
        {
            Width = (long)width,
            Height = (long)height,
            IsTiled = tiled,
            Grid = grid,
            Compression = (int)dir.GetInteger(TiffTag.Compression, TiffCompression.None),
            Photometric = photometric,
            SamplesPerPixel = spp,
            Planar = planar,
            NewSubfileType = (uint)dir.GetInteger(TiffTag.NewSubfileType, 0),
        };
    }

    /// <summary>
    /// The stored range of chunk <paramref name="index"/> (tile, strip, or tile of one sample plane), unchecked
    /// (the fetch step checks every range against the limits and the source); values beyond any file are
    /// clamped so that check refuses them. False for a missing (sparse) chunk: byte count 0.
    /// </summary>
    public bool TryGetChunkRange(long index, out ByteRange range)
    {
        ChunkIndex chunks = this.index ?? LoadIndex();
        ulong off = chunks.Offsets[index];
        ulong count = chunks.ByteCounts[index];
        if (count == 0)
        {
            range = default;
            return false;
        }

        range = new ByteRange((long)Math.Min(off, long.MaxValue / 2), (int)Math.Min(count, int.MaxValue));
        return true;
    }

    /// <summary>
    /// The file range of chunk <paramref name="index"/>, checked against the limits and the file.
    /// Returns false for a missing (sparse) tile: byte count 0.
    /// </summary>
    public bool TryGetChunk(long index, ErrorSite where, out long offset, out int length)
    {
        ChunkIndex chunks = this.index ?? LoadIndex();
        ulong off = chunks.Offsets[index];
        ulong count = chunks.ByteCounts[index];
        if (count == 0)
        {
            offset = 0;
            length = 0;
            return false;
        }

        SlideLimits limits = Directory.Container.Limits;
        if (count > (ulong)limits.MaxTileBytes)
        {
            throw new SlideLimitException(Path, where.ToString(), $"tile claims {count} compressed bytes, more than the limit of {limits.MaxTileBytes}");
        }

        long fileLength = Directory.Container.Source.Length;
        if (off >= (ulong)fileLength || count > (ulong)fileLength - off)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"tile data ({count} bytes at offset {off}) lies beyond the end of the file ({fileLength} bytes)");
        }

        offset = (long)off;
        length = (int)count;
        return true;
    }

    private ChunkIndex LoadIndex()
    {
        // quad-tile.tif stores tile offsets under the strip tags; accept either.
        ushort offsetTag = IsTiled && Directory.Has(TiffTag.TileOffsets) ? TiffTag.TileOffsets : TiffTag.StripOffsets;
        ushort countTag = IsTiled && Directory.Has(TiffTag.TileByteCounts) ? TiffTag.TileByteCounts : TiffTag.StripByteCounts;
        ulong declaredOffsets = Directory.CountOf(offsetTag), declaredCounts = Directory.CountOf(countTag);
        if (declaredOffsets < (ulong)ChunkCount || declaredCounts < (ulong)ChunkCount)
        {
            throw new CorruptSlideException(Path, Directory.Name, $"has {declaredOffsets} offsets and {declaredCounts} byte counts, but its {Grid.TilesAcross}x{Grid.TilesDown} grid needs {ChunkCount}");
        }

        TiffArray o = Directory.GetArray(offsetTag, IsTiled ? "TileOffsets" : "StripOffsets", ChunkCount);
        TiffArray c = Directory.GetArray(countTag, IsTiled ? "TileByteCounts" : "StripByteCounts", ChunkCount);

        var loaded = new ChunkIndex(o, c);
        index = loaded;
        return loaded;
    }

    /// <summary>Checks the tile index now (open time) rather than at the first read.</summary>
    public void ValidateIndex() => _ = index ?? LoadIndex();

    private sealed record ChunkIndex(TiffArray Offsets, TiffArray ByteCounts);
}
