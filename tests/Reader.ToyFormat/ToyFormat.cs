using System.Buffers.Binary;
using System.Globalization;
using Reader.Core;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Sources;

namespace Reader.ToyFormat;

/// <summary>
/// A toy slide format: "TOYWSI01", a level count (int32 LE), then per level its width and height (int64),
/// tile width and height (int32) and the offset of its tile table (int64); a tile table holds, row by row,
/// each tile's offset (int64) and length (int32; 0 = missing). Tiles are <see cref="ToyRleCodec"/> RGB.
/// </summary>
public sealed class ToyFormat : ISlideFormat
{
    /// <summary>The file signature.</summary>
    public static ReadOnlySpan<byte> Magic => "TOYWSI01"u8;

    /// <inheritdoc />
    public string Name => "toy";

    /// <inheritdoc />
    public bool Detect(SlideProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return probe.Header.StartsWith(Magic);
    }

    /// <inheritdoc />
    public SlideLayout Open(SlideProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        SlideSource source = probe.Source;
        Span<byte> head = stackalloc byte[12];
        source.ReadExactly(0, head);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        if (count is < 1 or > 16)
        {
            throw new CorruptSlideException(source.Name, "header", $"toy slide claims {count} levels");
        }

        var levels = new List<ITileSource>();
        Span<byte> entry = stackalloc byte[32];
        for (int i = 0; i < count; i++)
        {
            source.ReadExactly(12 + (i * 32L), entry);
            long width = BinaryPrimitives.ReadInt64LittleEndian(entry);
            long height = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
            int tileWidth = BinaryPrimitives.ReadInt32LittleEndian(entry[16..]);
            int tileHeight = BinaryPrimitives.ReadInt32LittleEndian(entry[20..]);
            long table = BinaryPrimitives.ReadInt64LittleEndian(entry[24..]);
            if (width < 1 || height < 1 || tileWidth < 1 || tileHeight < 1 || width > 1 << 20 || height > 1 << 20)
            {
                throw new CorruptSlideException(source.Name, $"toy level {i}", $"{width}x{height} with {tileWidth}x{tileHeight} tiles");
            }

            levels.Add(new ToyLevel(source, $"toy level {i}", width, height, tileWidth, tileHeight, table));
        }

        var layout = new SlideLayout { Vendor = "toy", Levels = levels };
        layout.Properties["toy.levels"] = count.ToString(CultureInfo.InvariantCulture);
        layout.Properties["openslide.mpp-x"] = "0.25";
        layout.Properties["openslide.mpp-y"] = "0.5";
        return layout;
    }

    /// <summary>One toy level: its tile table is read once, at open.</summary>
    private sealed class ToyLevel : ITileSource
    {
        private readonly ByteRange[] tiles;
        private readonly long across;

        public ToyLevel(SlideSource source, string name, long width, long height, int tileWidth, int tileHeight, long table)
        {
            Name = name;
            Width = width;
            Height = height;
            Encoding = new TileEncoding { Compression = ToyRleCodec.Compression, TileWidth = tileWidth, TileHeight = tileHeight };
            across = (width + tileWidth - 1) / tileWidth;
            long down = (height + tileHeight - 1) / tileHeight;
            tiles = new ByteRange[across * down];
            var raw = new byte[tiles.Length * 12];
            source.ReadExactly(table, raw);
            for (int t = 0; t < tiles.Length; t++)
            {
                tiles[t] = new ByteRange(BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(t * 12)), BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan((t * 12) + 8)));
            }
        }

        public string Name { get; }

        public long Width { get; }

        public long Height { get; }

        public TileEncoding Encoding { get; }

        public int GetTileRanges(long column, long row, Span<ByteRange> ranges)
        {
            ByteRange r = tiles[(row * across) + column];
            if (r.Length == 0)
            {
                return 0;
            }

            ranges[0] = r;
            return 1;
        }
    }
}
