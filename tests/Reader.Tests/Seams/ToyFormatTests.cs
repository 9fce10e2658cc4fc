using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Sources;
using Reader.Gpu;
using Reader.Tests.Gpu;
using Reader.Tests.Infrastructure;
using Reader.ToyFormat;

namespace Reader.Tests.Seams;

/// <summary>
/// A format driver and a codec from outside Reader.Core (tests/Reader.ToyFormat, public API only) read through
/// every path: regions, fill, missing and corrupt tiles, the batch API, and the GPU path on the CPU accelerator.
/// </summary>
public sealed class ToyFormatTests
{
    private static readonly ToyLevelSpec[] Levels =
    [
        new(301, 203, 64, 48, (x, y) => ((byte)(x * 7), (byte)(y * 3), (byte)((x + y) / 5)))
        {
            Missing = new HashSet<(long, long)> { (2, 1) },
        },
        new(150, 101, 32, 32, (x, y) => ((byte)(255 - x), (byte)(y * 2), (byte)(x ^ y))),
    ];

    internal static readonly Lazy<byte[]> File = new(() => ToySlideWriter.Write(Levels));

    /// <summary>A registry holding the toy driver and the built-ins; the codec registry adds the toy codec to the built-ins.</summary>
    internal static SlideOptions ToyOptions(long cacheCapacity = 1 << 20)
    {
        var formats = new SlideFormatRegistry();
        formats.Register(new Reader.ToyFormat.ToyFormat());
        var codecs = new TileCodecRegistry(TileCodecRegistry.Default);
        codecs.Register(ToyRleCodec.Compression, new ToyRleCodec());
        return new SlideOptions { Formats = formats, Codecs = codecs, CacheCapacity = cacheCapacity };
    }

    [Fact]
    public void Toy_slide_opens_with_its_driver_and_codec()
    {
        using Slide slide = Slide.Open(SlideSource.FromMemory(File.Value, "toy.bin"), ToyOptions());
        Assert.Equal("toy", slide.Vendor);
        Assert.Equal(2, slide.Levels.Count);
        Assert.Equal((301L, 203L), (slide.Levels[0].Width, slide.Levels[0].Height));
        Assert.Equal("toy-rle", slide.Levels[0].Compression);
        Assert.Equal((64, 48), (slide.Levels[0].TileWidth, slide.Levels[0].TileHeight));
        Assert.Equal("toy", slide.Properties["openslide.vendor"]);
        Assert.Equal("2", slide.Properties["toy.levels"]);
        Assert.Equal(new MicronsPerPixel(0.25, 0.5), slide.Mpp);
        Assert.Null(slide.ObjectivePower);
        Assert.Equal("toy.bin", slide.Path);
    }

    [Theory]
    [InlineData(PixelFormat.Rgb24, 0)]
    [InlineData(PixelFormat.Rgba32, 0)]
    [InlineData(PixelFormat.Rgb24, 1 << 20)]
    public void Toy_regions_equal_the_written_pixels(PixelFormat format, long cache)
    {
        using Slide slide = Slide.Open(SlideSource.FromMemory(File.Value), ToyOptions(cache));
        var random = new Random(1234);
        for (int level = 0; level < Levels.Length; level++)
        {
            ToyLevelSpec spec = Levels[level];
            double downsample = slide.Levels[level].Downsample;
            for (int i = 0; i < 60; i++)
            {
                int w = random.Next(1, 130), h = random.Next(1, 110);
                long lx = random.Next(-40, (int)spec.Width + 20), ly = random.Next(-40, (int)spec.Height + 20);
                long x = (long)Math.Ceiling(lx * downsample), y = (long)Math.Ceiling(ly * downsample);
                (long ex, long ey) = level == 0 ? (x, y) : ((long)Math.Floor(x / downsample), (long)Math.Floor(y / downsample));
                byte[] actual = slide.ReadRegion(x, y, level, w, h, format);
                PixelAssert.Equal(Expected(level, ex, ey, w, h, format), actual, w, format.BytesPerPixel(), $"level {level} region ({x}, {y}) {w}x{h}");
            }
        }
    }

    [Fact]
    public void Corrupt_toy_tile_names_file_level_and_tile()
    {
        ToyLevelSpec[] damaged = [Levels[0] with { Corrupt = new HashSet<(long, long)> { (1, 0) } }];
        using Slide slide = Slide.Open(SlideSource.FromMemory(ToySlideWriter.Write(damaged), "damaged.toy"), ToyOptions(0));
        var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(64, 0, 0, 64, 48));
        Assert.Contains("damaged.toy", e.Message, StringComparison.Ordinal);
        Assert.Contains("level 0 (toy level 0) tile (1, 0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("run of length 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(64 * 48 * 3, slide.ReadRegion(0, 0, 0, 64, 48).Length); // its neighbour still reads
    }

    [Fact]
    public void Without_the_codec_the_toy_slide_is_refused_naming_the_compression()
    {
        var formats = new SlideFormatRegistry();
        formats.Register(new Reader.ToyFormat.ToyFormat());
        var e = Assert.Throws<UnsupportedFormatException>(() => Slide.Open(SlideSource.FromMemory(File.Value), new SlideOptions { Formats = formats, Codecs = new TileCodecRegistry() }));
        Assert.Contains("compression code 65001 is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_driver_the_toy_slide_is_refused()
    {
        // A fresh registry: the built-in drivers only (another test registers the toy in the default one).
        var e = Assert.Throws<UnsupportedFormatException>(() => Slide.Open(SlideSource.FromMemory(File.Value), new SlideOptions { Formats = new SlideFormatRegistry() }));
        Assert.Contains("no registered format driver recognised it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Drivers_registered_in_the_default_registries_open_files_by_path()
    {
        // The toy's magic and compression code are its own, so registering globally changes nothing for other tests.
        SlideFormatRegistry.Default.Register(new Reader.ToyFormat.ToyFormat());
        TileCodecRegistry.Default.Register(ToyRleCodec.Compression, new ToyRleCodec());
        string path = TestSlides.NewPath("global.toy");
        System.IO.File.WriteAllBytes(path, File.Value);
        using Slide slide = Slide.Open(path);
        Assert.Equal("toy", slide.Vendor);
        Assert.Contains(SlideFormatRegistry.Default.Formats, f => f.Name == "toy");
        Assert.Equal("generic-tiff", SlideFormatRegistry.Default.Formats[^1].Name);
        PixelAssert.Equal(Expected(0, 10, 20, 70, 50, PixelFormat.Rgb24), slide.ReadRegion(10, 20, 0, 70, 50), 70, 3, "by path");
    }

    [Fact]
    public void Toy_batches_equal_single_region_reads()
    {
        using Slide slide = Slide.Open(SlideSource.FromMemory(File.Value), ToyOptions());
        PatchLocation[] locations = [.. Enumerable.Range(0, 23).Select(i => new PatchLocation((i * 37) - 30, (i * 19) % 230))];
        byte[] batches = GpuTestSupport.CpuBatches(slide, locations, 40, 30, 0, new BatchOptions { BatchSize = 5, Workers = 2 });
        byte[] single = [.. locations.SelectMany(l => slide.ReadRegion(l.X, l.Y, 0, 40, 30))];
        Assert.Equal(single, batches);
    }

    /// <summary>What a read of level pixels [x, x+w) x [y, y+h) must return: the written pixels, transparent black outside and in missing tiles.</summary>
    private static byte[] Expected(int level, long x, long y, int w, int h, PixelFormat format)
    {
        ToyLevelSpec spec = Levels[level];
        int bpp = format.BytesPerPixel();
        var expected = new byte[w * h * bpp];
        for (int j = 0; j < h; j++)
        {
            for (int i = 0; i < w; i++)
            {
                long px = x + i, py = y + j;
                if (px < 0 || py < 0 || px >= spec.Width || py >= spec.Height || spec.Missing.Contains((px / spec.TileWidth, py / spec.TileHeight)))
                {
                    continue;
                }

                (byte r, byte g, byte b) = spec.Pixel(px, py);
                int o = ((j * w) + i) * bpp;
                expected[o] = r;
                expected[o + 1] = g;
                expected[o + 2] = b;
                if (bpp == 4)
                {
                    expected[o + 3] = 255;
                }
            }
        }

        return expected;
    }
}

/// <summary>The toy slide through Reader.Gpu on ILGPU's CPU accelerator (no GPU here).</summary>
[Collection(GpuTestGroup.Name)]
public sealed class ToyFormatGpuTests
{
    [Fact]
    [Trait("Category", "Gpu")]
    public void Toy_tiles_take_the_gpu_path_decoded_on_the_host_and_assembled_on_the_device()
    {
        using Slide slide = Slide.Open(SlideSource.FromMemory(ToyFormatTests.File.Value), ToyFormatTests.ToyOptions());
        PatchLocation[] locations = [.. Enumerable.Range(0, 11).Select(i => new PatchLocation((i * 41) - 20, (i * 23) % 220))];
        var options = new BatchOptions { BatchSize = 4, Workers = 2 };
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 48, 40, 0, options);
        var outcomes = new List<TileOutcome>();
        byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 48, 40, 0, options, outcomes: outcomes);
        GpuTestSupport.Identical(cpu, gpu, 48, 3, "toy slide, GPU path vs CPU");
        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.True(o.Path is TileDecodePath.Cpu or TileDecodePath.Missing, $"tile {o.Tile}: {o.Path}"));
        Assert.Contains(outcomes, o => o.Path == TileDecodePath.Cpu && o.Reason!.Contains("toy-rle tiles have no device kernel", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Path == TileDecodePath.Missing);
    }
}
