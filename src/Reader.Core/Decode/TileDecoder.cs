using System.Buffers;
using Reader.Core.Fetch;
using Reader.Core.Formats;
using Reader.Core.Plan;
using Reader.Core.Sources;

namespace Reader.Core.Decode;

/// <summary>
/// Decodes the tiles of one image: fetch its chunk(s) from the source, hand them to the image's codec, undo
/// the predictor and convert samples to pixels when the codec produced samples. Edge tiles decode only
/// their visible rows. Every error names the file, the level and the tile.
/// </summary>
internal sealed class TileDecoder
{
    private readonly SlideSource source;
    private readonly SlideLimits limits;
    private readonly bool useNative;

    public TileDecoder(SlideSource source, ITileSource tiles, ITileCodec codec, bool useNative, string name, SlideLimits limits)
    {
        this.source = source;
        this.limits = limits;
        this.useNative = useNative;
        Tiles = tiles;
        Codec = codec;
        Name = name;
        Encoding = tiles.Encoding;
        Grid = new TileGrid(tiles.Width, tiles.Height, Encoding.TileWidth, Encoding.TileHeight);
    }

    public ITileSource Tiles { get; }

    public ITileCodec Codec { get; }

    public TileEncoding Encoding { get; }

    public TileGrid Grid { get; }

    public string Path => source.Name;

    /// <summary>How messages name this image: "level 0 (IFD 0)".</summary>
    public string Name { get; }

    /// <summary>
    /// Tells a source that pays per request (remote storage) every tile range of <paramref name="plan"/> at once, so
    /// it fetches them in merged, concurrent requests before the tiles are read one by one.
    /// </summary>
    public void Prefetch(in RegionPlan plan)
    {
        if (!source.WantsPrefetch || plan.IsEmpty || (long)plan.Columns * plan.Rows < 2)
        {
            return;
        }

        var ranges = new List<ByteRange>(plan.Columns * plan.Rows);
        CollectRanges(in plan, ranges);
        source.Prefetch(ranges);
    }

    /// <summary>True when the source fetches many ranges at once better than one by one (remote storage).</summary>
    public bool WantsPrefetch => source.WantsPrefetch;

    /// <summary>Hands <paramref name="ranges"/> (the tiles of a whole batch, say) to the source to fetch together.</summary>
    public void Prefetch(IReadOnlyList<ByteRange> ranges) => source.Prefetch(ranges);

    /// <summary>Adds the byte ranges of every tile <paramref name="plan"/> touches to <paramref name="into"/>.</summary>
    public void CollectRanges(in RegionPlan plan, List<ByteRange> into)
    {
        Span<ByteRange> chunks = stackalloc ByteRange[TileEncoding.MaxSamplesPerPixel];
        for (int r = 0; r < plan.Rows; r++)
        {
            for (int c = 0; c < plan.Columns; c++)
            {
                int n = Tiles.GetTileRanges(plan.FirstColumn + c, plan.FirstRow + r, chunks);
                for (int i = 0; i < n && i < chunks.Length; i++)
                {
                    if (chunks[i].Length > 0 && chunks[i].Offset >= 0 && chunks[i].Length <= limits.MaxTileBytes)
                    {
                        into.Add(chunks[i]);
                    }
                }
            }
        }
    }

    /// <summary>The fetch step: tile (<paramref name="tx"/>, <paramref name="ty"/>)'s compressed bytes (dispose them), or a missing tile.</summary>
    public FetchedTile Fetch(long tx, long ty) => FetchedTile.Read(source, Tiles, tx, ty, limits, new ErrorSite(Name, tx, ty));

    /// <summary>
    /// Decodes tile (<paramref name="tx"/>, <paramref name="ty"/>) into <paramref name="destination"/> (at least the
    /// tile's visible rows, each a full tile width). Returns false when the tile is missing from the file
    /// (sparse): the caller fills it.
    /// </summary>
    public bool Decode(long tx, long ty, Span<byte> destination, int stride, PixelFormat output)
    {
        FetchedTile tile = Fetch(tx, ty);
        try
        {
            return Decode(in tile, tx, ty, destination, stride, output);
        }
        finally
        {
            tile.Dispose();
        }
    }

    /// <summary>Decodes an already fetched tile (the GPU path's CPU decodes and fallbacks); false when it is missing.</summary>
    public bool Decode(in FetchedTile tile, long tx, long ty, Span<byte> destination, int stride, PixelFormat output)
    {
        if (tile.Missing)
        {
            return false;
        }

        TileEncoding e = Encoding;
        var context = new TileDecodeContext(e, source.Name, new ErrorSite(Name, tx, ty), tx, ty, Grid.VisibleWidth(tx), Grid.VisibleHeight(ty), useNative);
        if (tile.Chunks != e.ChunksPerTile)
        {
            throw context.Corrupt($"tile has {tile.Chunks} chunks, {e.ChunksPerTile} expected");
        }

        if (e.Planar != 2 && Codec.TryDecodePixels(in context, tile.Chunk(0), destination, stride, output))
        {
            return true;
        }

        // Stored rows (at the stored depth) are decompressed; 16-bit samples are then narrowed in place, so the
        // converter always sees 8-bit rows of sampleRowBytes, chunks chunkBytes apart.
        int sampleRowBytes = e.Planar == 2 ? e.TileWidth : e.TileWidth * e.SamplesPerPixel;
        int bytesPerSample = e.BitsPerSample / 8;
        int storedRowBytes = sampleRowBytes * bytesPerSample;
        int chunkBytes = e.ChunkBytes;
        byte[] samples = ArrayPool<byte>.Shared.Rent(chunkBytes * e.ChunksPerTile);
        try
        {
            for (int c = 0; c < tile.Chunks; c++)
            {
                Span<byte> chunk = samples.AsSpan(c * chunkBytes, chunkBytes);
                Decompress(in context, tile.Chunk(c), chunk, storedRowBytes * context.VisibleHeight);
                int samplesPerPixel = e.Planar == 2 ? 1 : e.SamplesPerPixel;
                if (bytesPerSample == 2)
                {
                    if (e.Predictor == 2)
                    {
                        HorizontalPredictor.Undo16(chunk, e.TileWidth, context.VisibleHeight, samplesPerPixel, storedRowBytes, e.BigEndianSamples);
                    }

                    HorizontalPredictor.Narrow16(chunk, sampleRowBytes * context.VisibleHeight, e.BigEndianSamples);
                }
                else if (e.Predictor == 2)
                {
                    HorizontalPredictor.Undo(chunk, e.TileWidth, context.VisibleHeight, samplesPerPixel, storedRowBytes);
                }
            }

            SampleConverter.Convert(e, samples, sampleRowBytes, e.Planar == 2 ? chunkBytes : 0, context.VisibleWidth, context.VisibleHeight, destination, stride, output);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(samples);
        }
    }

    private void Decompress(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples, int needed)
    {
        int written;
        try
        {
            written = Codec.DecodeSamples(in context, compressed, samples);
        }
        catch (InvalidDataException e)
        {
            throw context.Corrupt($"{Codec.Name} data corrupt: {e.Message}", e);
        }

        if (written < needed)
        {
            throw context.Corrupt($"{Codec.Name} data ends after {Math.Max(written, 0)} bytes; the tile needs {needed}");
        }
    }
}
