using Reader.Core;
using Reader.Gpu;
using Reader.Native.Jpeg;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// JPEG tiles decoded by the kernels (on ILGPU's CPU accelerator) against libjpeg-turbo through our shim, tile by
/// tile, byte for byte: every subsampling, grey, RGB-coded (Aperio), restart intervals, tile sizes 16 to 512,
/// partial edge tiles, qualities 10 to 100, tables shared, in the tile and split; plus fresh random slides every
/// run. Inputs are small: the CPU accelerator pays microseconds per simulated GPU thread.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuJpegTileTests
{
    public static readonly Dictionary<string, SyntheticSlideSpec> Kinds = new()
    {
        ["420-256-edges"] = new() { Width = 300, Height = 270, Levels = 1, Quality = 85 },
        ["422-240-aperio-size"] = new() { Width = 250, Height = 245, TileWidth = 240, TileHeight = 240, Levels = 1, Subsampling = ChromaSubsampling.S422, Quality = 60 },
        ["444-16"] = new() { Width = 70, Height = 37, TileWidth = 16, TileHeight = 16, Levels = 1, Subsampling = ChromaSubsampling.S444, Quality = 100 },
        ["440-32"] = new() { Width = 90, Height = 70, TileWidth = 32, TileHeight = 32, Levels = 1, Subsampling = ChromaSubsampling.S440, Quality = 10 },
        ["gray-64"] = new() { Width = 130, Height = 70, TileWidth = 64, TileHeight = 64, Levels = 1, Color = SlideColor.Gray, Quality = 75 },
        ["aperio-rgb-240"] = new() { Width = 245, Height = 240, TileWidth = 240, TileHeight = 240, Levels = 1, Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio, Quality = 70 },
        ["restart-16"] = new() { Width = 50, Height = 40, TileWidth = 16, TileHeight = 16, Levels = 1, RestartInterval = 1, Quality = 30 },
        ["restart-64-420"] = new() { Width = 130, Height = 64, TileWidth = 64, TileHeight = 64, Levels = 1, RestartInterval = 3, Quality = 90 },
        ["tables-in-tile"] = new() { Width = 130, Height = 100, TileWidth = 64, TileHeight = 64, Levels = 1, Tables = JpegTablesPlacement.InTile },
        ["tables-split"] = new() { Width = 130, Height = 100, TileWidth = 64, TileHeight = 64, Levels = 1, Tables = JpegTablesPlacement.Split, Subsampling = ChromaSubsampling.S422 },
        ["512-once"] = new() { Width = 300, Height = 200, TileWidth = 512, TileHeight = 512, Levels = 1, Quality = 95 },
    };

    public static TheoryData<string> Names => [.. Kinds.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_tile_is_byte_identical_to_libjpeg_turbo(string kind)
    {
        SyntheticSlideSpec spec = Kinds[kind];
        TilesMatchShim(spec, kind == "gray-64" ? PixelFormat.Rgba32 : PixelFormat.Rgb24, kind);
    }

    [Fact]
    public void Fresh_random_slides_every_run_are_byte_identical_to_libjpeg_turbo()
    {
        int seed = Random.Shared.Next();
        GpuTestSupport.WithSeed(seed, () =>
        {
            var rng = new Random(seed);
            for (int round = 0; round < 3; round++)
            {
                int tile = new[] { 16, 32, 48, 64, 128 }[rng.Next(5)];
                var spec = new SyntheticSlideSpec
                {
                    Width = rng.Next(1, 200),
                    Height = rng.Next(1, 150),
                    TileWidth = tile,
                    TileHeight = tile,
                    Levels = 1,
                    Quality = rng.Next(10, 101),
                    Subsampling = (ChromaSubsampling)rng.Next(4),
                    Color = rng.Next(5) switch { 0 => SlideColor.Gray, 1 => SlideColor.RgbCodedJpeg, _ => SlideColor.Rgb },
                    Tables = (JpegTablesPlacement)rng.Next(3),
                    RestartInterval = rng.Next(3) == 0 ? rng.Next(1, 5) : 0,
                    Seed = rng.Next(),
                };
                TilesMatchShim(spec, rng.Next(2) == 0 ? PixelFormat.Rgb24 : PixelFormat.Rgba32, $"seed {seed} round {round}: {spec}");
            }
        });
    }

    [Fact]
    public void Parallel_For_runs_the_same_bodies_to_the_same_bytes()
    {
        SyntheticSlideSpec spec = Kinds["restart-64-420"];
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        TileIndex[] tiles = [new(0, 0), new(1, 0), new(2, 0)];
        using DeviceBatch kernels = GpuTestSupport.Decoder.DecodeTiles(slide, 0, tiles, PixelFormat.Rgba32);
        using DeviceBatch bodies = GpuTestSupport.ParallelForDecoder.DecodeTiles(slide, 0, tiles, PixelFormat.Rgba32);
        Assert.Equal(KernelExecution.ParallelFor, GpuTestSupport.ParallelForDecoder.Options.Execution);
        Assert.All(bodies.TileOutcomes, o => Assert.Equal(TileDecodePath.Device, o.Path));
        GpuTestSupport.Identical(kernels.ToArray(), bodies.ToArray(), 64, 4, "Parallel.For vs kernels");
    }

    /// <summary>Decodes every level-0 tile with the kernels and compares each with the shim's decode of the raw tile.</summary>
    internal static BatchTimings TilesMatchShim(SyntheticSlideSpec spec, PixelFormat format, string what, GpuDecoder? decoder = null)
    {
        string path = TestSlides.Get(spec);
        using Slide slide = GpuTestSupport.OpenNative(path);
        SlideLevel level = slide.Levels[0];
        int tw = level.TileWidth, th = level.TileHeight, bpp = format.BytesPerPixel();
        var tiles = new List<TileIndex>();
        for (long r = 0; r * th < level.Height; r++)
        {
            for (long c = 0; c * tw < level.Width; c++)
            {
                tiles.Add(new TileIndex(c, r));
            }
        }

        JpegColorSpace color = spec.Color switch
        {
            SlideColor.Gray => JpegColorSpace.Gray,
            SlideColor.RgbCodedJpeg => JpegColorSpace.Rgb,
            _ => JpegColorSpace.YCbCr,
        };
        using DeviceBatch batch = (decoder ?? GpuTestSupport.Decoder).DecodeTiles(slide, 0, tiles, format);
        Assert.Equal([tiles.Count, th, tw, bpp], batch.Shape);
        Assert.All(batch.TileOutcomes, o => Assert.True(o.Path == TileDecodePath.Device, $"{what}: tile {o.Tile} went {o.Path}: {o.Reason}"));
        Assert.Equal(1, batch.Timings.TableSets);
        byte[] all = batch.ToArray();
        for (int i = 0; i < tiles.Count; i++)
        {
            (byte[]? tables, byte[] raw) = GpuSurgery.RawTile(path, 0, tiles[i].Column, tiles[i].Row);
            byte[] expected = GpuTestSupport.ShimTile(tables, raw, color, format, tw, th);
            int visibleWidth = (int)Math.Min(tw, level.Width - (tiles[i].Column * tw));
            int visibleHeight = (int)Math.Min(th, level.Height - (tiles[i].Row * th));
            for (int y = 0; y < th; y++)
            {
                for (int x = 0; x < tw; x++)
                {
                    if (x >= visibleWidth || y >= visibleHeight)
                    {
                        expected.AsSpan(((y * tw) + x) * bpp, bpp).Clear(); // outside the level: the fill (transparent black)
                    }
                }
            }

            GpuTestSupport.Identical(expected, all.AsSpan(i * tw * th * bpp, tw * th * bpp).ToArray(), tw, bpp, $"{what} tile {tiles[i]}");
        }

        return batch.Timings;
    }
}
