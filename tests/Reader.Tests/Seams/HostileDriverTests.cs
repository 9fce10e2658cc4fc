using Reader.Core;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Sources;

namespace Reader.Tests.Seams;

/// <summary>
/// A format driver from outside the reader that states hostile things: the reader's own checks (encoding
/// validation, the fetch step's range checks) turn each into a typed exception naming file, level and tile.
/// </summary>
public sealed class HostileDriverTests
{
    private static readonly byte[] Bytes = [.. "HOSTILE!"u8, .. new byte[4096]];

    [Theory]
    [InlineData(12, 3, 1, 1, "12 bits")]
    [InlineData(8, 0, 1, 1, "0 samples")]
    [InlineData(8, 3, 3, 1, "planar configuration 3")]
    [InlineData(8, 3, 1, 3, "predictor 3")]
    public void Unsupported_encodings_are_refused_at_open(int bits, int samples, int planar, int predictor, string fragment)
    {
        var encoding = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16, BitsPerSample = bits, SamplesPerPixel = samples, Planar = planar, Predictor = predictor };
        var e = Assert.Throws<UnsupportedFormatException>(() => Open(encoding, (_, _) => []));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains("level 0 (hostile)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_palette_image_without_a_palette_and_a_stray_alpha_sample_are_corrupt()
    {
        var palette = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16, Photometric = 3, SamplesPerPixel = 1 };
        Assert.Contains("256-entry RGB palette", Assert.Throws<CorruptSlideException>(() => Open(palette, (_, _) => [])).Message, StringComparison.Ordinal);
        var alpha = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16, Alpha = AlphaKind.Unassociated, AlphaSample = 7, SamplesPerPixel = 4 };
        Assert.Contains("alpha sample 7", Assert.Throws<CorruptSlideException>(() => Open(alpha, (_, _) => [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tile_size_beyond_the_limits_is_refused()
    {
        var encoding = new TileEncoding { Compression = TileCompression.None, TileWidth = 1 << 14, TileHeight = 1 << 14 };
        Assert.Throws<SlideLimitException>(() => Open(encoding, (_, _) => []));
    }

    [Fact]
    public void Negative_range_length_is_corrupt_not_a_missing_tile()
    {
        var encoding = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16 };
        using Slide slide = Open(encoding, (_, _) => [new ByteRange(8, -5)]);
        var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, 16, 16));
        Assert.Contains("level 0 (hostile) tile (0, 0)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_beyond_the_source_is_corrupt()
    {
        var encoding = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16 };
        using Slide slide = Open(encoding, (_, _) => [new ByteRange(4000, 768)]);
        var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, 16, 16));
        Assert.Contains("beyond the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Planes_together_beyond_the_compressed_tile_limit_are_refused_before_reading()
    {
        // Sixteen planes that all name the same range: each within the limit, together far beyond it.
        var encoding = new TileEncoding { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16, SamplesPerPixel = 16, Photometric = 1, Planar = 2 };
        var limits = SlideLimits.Default with { MaxTileBytes = 4096 };
        using Slide slide = Open(encoding, (_, _) => [.. Enumerable.Repeat(new ByteRange(8, 4000), 16)], limits);
        var e = Assert.Throws<SlideLimitException>(() => slide.ReadRegion(0, 0, 0, 16, 16));
        Assert.Contains("in all", e.Message, StringComparison.Ordinal);
    }

    private static Slide Open(TileEncoding encoding, Func<long, long, ByteRange[]> ranges, SlideLimits? limits = null)
    {
        var formats = new SlideFormatRegistry();
        formats.Register(new Driver(encoding, ranges));
        return Slide.Open(SlideSource.FromMemory(Bytes, "hostile.bin"), new SlideOptions { Formats = formats, CacheCapacity = 0, Limits = limits ?? SlideLimits.Default });
    }

    private sealed class Driver(TileEncoding encoding, Func<long, long, ByteRange[]> ranges) : ISlideFormat, ITileSource
    {
        public string Name => "hostile";

        public long Width => 40;

        public long Height => 30;

        public TileEncoding Encoding => encoding;

        public bool Detect(SlideProbe probe) => probe.Header.StartsWith("HOSTILE!"u8);

        public SlideLayout Open(SlideProbe probe) => new() { Vendor = "hostile", Levels = [this] };

        public int GetTileRanges(long column, long row, Span<ByteRange> into)
        {
            ByteRange[] r = ranges(column, row);
            r.CopyTo(into);
            return r.Length;
        }
    }
}
