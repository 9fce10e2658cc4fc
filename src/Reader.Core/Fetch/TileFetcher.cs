using System.Buffers;
using System.Runtime.CompilerServices;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Sources;

namespace Reader.Core.Fetch;

/// <summary>End offsets of a tile's chunks inside its fetched buffer.</summary>
[InlineArray(TileEncoding.MaxSamplesPerPixel)]
internal struct ChunkEnds
{
    private int first;
}

/// <summary>
/// The compressed bytes of one tile in a pooled buffer: one chunk, or one per sample plane. Missing (sparse)
/// tiles have no buffer. Dispose returns the buffer; the CPU decoders and the GPU gatherer share this step,
/// so a tile the device refuses is decoded on the CPU from the same bytes, never read twice.
/// </summary>
internal struct FetchedTile : IDisposable
{
    private ChunkEnds ends;

    public byte[]? Buffer { get; private set; }

    public int Chunks { get; private set; }

    public readonly bool Missing => Buffer is null;

    /// <summary>Bytes of all chunks.</summary>
    public readonly int Length => Chunks == 0 ? 0 : ends[Chunks - 1];

    public readonly ReadOnlySpan<byte> Chunk(int i)
    {
        int start = i == 0 ? 0 : ends[i - 1];
        return Buffer.AsSpan(start, ends[i] - start);
    }

    /// <summary>Reads tile (<paramref name="column"/>, <paramref name="row"/>) of <paramref name="tiles"/> from <paramref name="source"/>.</summary>
    public static FetchedTile Read(SlideSource source, ITileSource tiles, long column, long row, SlideLimits limits, ErrorSite where)
    {
        Span<ByteRange> ranges = stackalloc ByteRange[TileEncoding.MaxSamplesPerPixel];
        int count;
        try
        {
            count = tiles.GetTileRanges(column, row, ranges);
        }
        catch (CorruptSlideException e) when (e.Reason is not null)
        {
            // The tile source knows the file and frame; the reader knows the level and tile: name them all.
            throw new CorruptSlideException(e.FilePath ?? source.Name, e.Where is null ? where.ToString() : $"{where}, {e.Where}", e.Reason, e);
        }

        var tile = default(FetchedTile);
        if (count <= 0)
        {
            return tile;
        }

        if (count > ranges.Length)
        {
            throw new CorruptSlideException(source.Name, where.ToString(), $"tile has {count} chunks, more than {ranges.Length}");
        }

        long total = 0;
        long sourceLength = source.Length;
        for (int i = 0; i < count; i++)
        {
            ByteRange r = ranges[i];
            if (r.Length == 0)
            {
                return tile; // a missing plane makes the tile missing
            }

            if (r.Length < 0)
            {
                throw new CorruptSlideException(source.Name, where.ToString(), $"tile chunk {i} claims {r.Length} bytes");
            }

            if (r.Length > limits.MaxTileBytes)
            {
                throw new SlideLimitException(source.Name, where.ToString(), $"tile claims {r.Length} compressed bytes, more than the limit of {limits.MaxTileBytes}");
            }

            if (r.Offset < 0 || r.Offset >= sourceLength || r.Length > sourceLength - r.Offset)
            {
                throw new CorruptSlideException(source.Name, where.ToString(), $"tile data ({r.Length} bytes at offset {r.Offset}) lies beyond the end of the file ({sourceLength} bytes)");
            }

            total += r.Length;
        }

        if (total > limits.MaxTileBytes)
        {
            throw new SlideLimitException(source.Name, where.ToString(), $"tile claims {total} compressed bytes in all, more than the limit of {limits.MaxTileBytes}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)total);
        try
        {
            int at = 0;
            for (int i = 0; i < count; i++)
            {
                source.ReadExactly(ranges[i].Offset, buffer.AsSpan(at, ranges[i].Length), where);
                at += ranges[i].Length;
                tile.ends[i] = at;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        tile.Buffer = buffer;
        tile.Chunks = count;
        return tile;
    }

    public void Dispose()
    {
        if (Buffer is { } b)
        {
            Buffer = null;
            Chunks = 0;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
