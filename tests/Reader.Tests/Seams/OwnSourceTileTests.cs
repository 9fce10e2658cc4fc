using Reader.Core;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Sources;

namespace Reader.Tests.Seams;

/// <summary>
/// <see cref="ITileSource.Source"/>: an image whose tiles live in another source than the slide's (a multi-file
/// slide) is read from that source, errors name it, and the slide disposes it with itself.
/// </summary>
public sealed class OwnSourceTileTests
{
    [Fact]
    public void Tiles_are_read_from_the_image_source_and_it_is_disposed_with_the_slide()
    {
        byte[] pixels = [.. Enumerable.Range(0, 16 * 16 * 3).Select(i => (byte)(i * 7))];
        var other = SlideSource.FromMemory(pixels, "other-file.bin");
        var formats = new SlideFormatRegistry();
        formats.Register(new Driver(other));
        byte[] main = [.. "MULTI!!!"u8, .. new byte[64]];
        using (Slide slide = Slide.Open(SlideSource.FromMemory(main, "main.bin"), new SlideOptions { Formats = formats, CacheCapacity = 0 }))
        {
            Assert.Equal(pixels, slide.ReadRegion(0, 0, 0, 16, 16));
            var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(16, 0, 0, 16, 16));
            Assert.Contains("other-file.bin", e.Message, StringComparison.Ordinal); // the tile's file, not main.bin
            Assert.False(other.IsDisposed);
        }

        Assert.True(other.IsDisposed);
    }

    private sealed class Driver(SlideSource other) : ISlideFormat, ITileSource
    {
        public string Name => "multi";

        public long Width => 32;

        public long Height => 16;

        public TileEncoding Encoding { get; } = new() { Compression = TileCompression.None, TileWidth = 16, TileHeight = 16 };

        public SlideSource Source => other;

        public bool Detect(SlideProbe probe) => probe.Header.StartsWith("MULTI!!!"u8);

        public SlideLayout Open(SlideProbe probe) => new() { Vendor = "multi", Levels = [this] };

        public int GetTileRanges(long column, long row, Span<ByteRange> into)
        {
            into[0] = column == 0 ? new ByteRange(0, 16 * 16 * 3) : new ByteRange(500, 768); // the second lies beyond other-file.bin
            return 1;
        }
    }
}
