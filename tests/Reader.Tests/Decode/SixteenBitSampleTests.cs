using System.Buffers.Binary;
using System.IO.Compression;
using Reader.Core;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Decode;

/// <summary>
/// 16-bit RGB samples: both byte orders, chunky and planar, with and without predictor 2, narrowed to 8 bits as
/// libtiff's RGBA interface does ((v + 128) / 257), so pixels equal OpenSlide 4.0.1's (the real fixture is
/// compared in OpenSlide4RegionTests). 16-bit grey is refused, typed.
/// </summary>
public sealed class SixteenBitSampleTests
{
    private const int Width = 100, Height = 70, Tile = 32;

    private static ushort Sample(int x, int y, int c) => (ushort)((x * 613) + (y * 2917) + (c * 21001) + (x * y * 7));

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    public void Sixteen_bit_rgb_is_narrowed_like_libtiff(bool bigEndian, bool planar, bool predictor)
    {
        string path = Write(bigEndian, planar, predictor, photometric: 2, samples: 3);
        using Slide slide = Slide.Open(path);
        byte[] rgb = slide.ReadRegion(-5, -3, 0, Width + 10, Height + 6);
        var expected = new byte[rgb.Length];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    expected[((((y + 3) * (Width + 10)) + x + 5) * 3) + c] = (byte)((Sample(x, y, c) + 128) / 257);
                }
            }
        }

        PixelAssert.Equal(expected, rgb, Width + 10, 3, $"16-bit, big endian {bigEndian}, planar {planar}, predictor {predictor}");
    }

    [Fact]
    public void The_decoded_tile_limit_counts_bytes_at_the_stored_depth()
    {
        // A 32x32 RGB tile is 3 KiB at 8 bits and 6 KiB at 16: a 4 KiB limit admits the first only.
        var limits = SlideLimits.Default with { MaxTilePixels = 1024 };
        string sixteen = Write(bigEndian: false, planar: false, predictor: false, photometric: 2, samples: 3);
        Assert.Contains("bytes per decoded tile", Assert.Throws<SlideLimitException>(() => Slide.Open(sixteen, new SlideOptions { Limits = limits })).Message, StringComparison.Ordinal);
        string eight = TestSlides.Get(new SyntheticSlideSpec { Width = 64, Height = 64, TileWidth = 32, TileHeight = 32, Compression = SlideCompression.Deflate, Levels = 1 });
        using Slide slide = Slide.Open(eight, new SlideOptions { Limits = limits });
        Assert.Equal(64, slide.Levels[0].Width);
    }

    [Fact]
    public void Sixteen_bit_grey_is_refused_naming_the_reason()
    {
        string path = Write(bigEndian: false, planar: false, predictor: false, photometric: 1, samples: 1);
        var e = Assert.Throws<UnsupportedFormatException>(() => Slide.Open(path));
        Assert.Contains("16-bit samples are supported for RGB images only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_sixteen_bit_tile_is_corrupt_naming_the_tile()
    {
        string path = Write(bigEndian: false, planar: false, predictor: false, photometric: 2, samples: 3, truncate: true);
        using Slide slide = Slide.Open(path);
        var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, 32, 32));
        Assert.Contains("level 0 (IFD 0) tile (0, 0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("the tile needs", e.Message, StringComparison.Ordinal);
    }

    private static string Write(bool bigEndian, bool planar, bool predictor, int photometric, int samples, bool truncate = false)
    {
        string path = TestSlides.NewPath("sixteen.tif");
        int across = (Width + Tile - 1) / Tile, down = (Height + Tile - 1) / Tile;
        int planes = planar ? samples : 1, perChunk = planar ? 1 : samples;
        var offsets = new List<ulong>();
        var counts = new List<ulong>();
        using (var builder = new TiffBuilder(File.Create(path), bigTiff: false, bigEndian))
        {
            for (int p = 0; p < planes; p++)
            {
                for (int ty = 0; ty < down; ty++)
                {
                    for (int tx = 0; tx < across; tx++)
                    {
                        var raw = new byte[Tile * Tile * perChunk * 2];
                        for (int y = 0; y < Tile; y++)
                        {
                            var row = new ushort[Tile * perChunk];
                            for (int x = 0; x < Tile; x++)
                            {
                                for (int c = 0; c < perChunk; c++)
                                {
                                    int px = (tx * Tile) + x, py = (ty * Tile) + y;
                                    row[(x * perChunk) + c] = px < Width && py < Height ? Sample(px, py, planar ? p : c) : (ushort)0;
                                }
                            }

                            for (int i = row.Length - 1; predictor && i >= perChunk; i--)
                            {
                                row[i] = (ushort)(row[i] - row[i - perChunk]);
                            }

                            for (int i = 0; i < row.Length; i++)
                            {
                                Span<byte> at = raw.AsSpan(((y * Tile * perChunk) + i) * 2, 2);
                                if (bigEndian)
                                {
                                    BinaryPrimitives.WriteUInt16BigEndian(at, row[i]);
                                }
                                else
                                {
                                    BinaryPrimitives.WriteUInt16LittleEndian(at, row[i]);
                                }
                            }
                        }

                        using var compressed = new MemoryStream();
                        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                        {
                            z.Write(raw, 0, truncate ? raw.Length / 3 : raw.Length);
                        }

                        offsets.Add((ulong)builder.WriteData(compressed.ToArray()));
                        counts.Add((ulong)compressed.Length);
                    }
                }
            }

            builder.AddDirectory(
            [
                TiffField.Longs(256, Width),
                TiffField.Longs(257, Height),
                TiffField.Shorts(258, [.. Enumerable.Repeat(16UL, samples)]),
                TiffField.Shorts(259, 8),
                TiffField.Shorts(262, (ulong)photometric),
                TiffField.Shorts(277, (ulong)samples),
                TiffField.Shorts(284, planar ? 2UL : 1UL),
                TiffField.Shorts(317, predictor ? 2UL : 1UL),
                TiffField.Longs(322, Tile),
                TiffField.Longs(323, Tile),
                TiffField.Longs(324, [.. offsets]),
                TiffField.Longs(325, [.. counts]),
            ]);
            builder.Finish();
        }

        return path;
    }
}
