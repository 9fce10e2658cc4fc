using Reader.Core.Decode;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Ndpi;

/// <summary>
/// One NDPI level: a single JPEG whose restart intervals (one MCU row high, a whole number of them across the
/// image) are the tiles, as OpenSlide lays them out. A tile's bytes are its interval; the codec completes them with
/// the level's header (<see cref="TileEncoding.JpegHeader"/>). Levels OpenSlide derives by decoding at 1/2, 1/4 or
/// 1/8 share the intervals of the level they come from. The grid is the whole intervals that fit in the image
/// (OpenSlide's integer division): a partial row or column beyond them is left unpainted, as OpenSlide leaves it.
/// </summary>
internal sealed class NdpiTileSource : ITileSource
{
    private readonly NdpiRestartIndex intervals;
    private readonly long across;
    private readonly long down;

    public NdpiTileSource(string name, long width, long height, long across, long down, TileEncoding encoding, NdpiRestartIndex intervals)
    {
        Name = name;
        Width = width;
        Height = height;
        Encoding = encoding;
        this.across = across;
        this.down = down;
        this.intervals = intervals;
    }

    public string Name { get; }

    public long Width { get; }

    public long Height { get; }

    public TileEncoding Encoding { get; }

    /// <summary>The JPEG's intervals, shared with the levels derived from it.</summary>
    public NdpiRestartIndex Intervals => intervals;

    public int GetTileRanges(long column, long row, Span<ByteRange> ranges)
    {
        if (column >= across || row >= down)
        {
            return 0;
        }

        ranges[0] = intervals.RangeOf((int)((row * across) + column));
        return 1;
    }
}
