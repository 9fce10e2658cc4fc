using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// The real JPEG sample files (../shared/fixtures/real; skipped, loudly, when absent) through the device path,
/// against the CPU reader with libjpeg-turbo: tile by tile, and CMU-1-Small-Region.svs end to end through the
/// device batch API against the CPU batch API.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class RealFixtureGpuTests
{
    [Fact]
    public void CMU_1_Small_Region_through_the_device_batch_API_equals_the_CPU_batch_API()
    {
        string path = FixtureFiles.Real("CMU-1-Small-Region.svs");
        using Slide slide = GpuTestSupport.OpenNative(path);
        int seed = Random.Shared.Next();
        GpuTestSupport.WithSeed(seed, () => EndToEnd(slide, seed));
    }

    private static void EndToEnd(Slide slide, int seed)
    {
        var rng = new Random(seed);

        // The kernels (ILGPU's CPU accelerator is slow: a sample): aligned, unaligned and edge patches.
        SlideLevel l = slide.Levels[0];
        var locations = new List<PatchLocation>();
        for (int i = 0; i < 8; i++)
        {
            bool aligned = i % 2 == 0;
            long x = aligned ? rng.Next((int)(l.Width / 240) + 1) * 240L : rng.NextInt64(-60, l.Width - 100);
            long y = aligned ? rng.Next((int)(l.Height / 240) + 1) * 240L : rng.NextInt64(-60, l.Height - 100);
            locations.Add(new PatchLocation(x, y));
        }

        Compare(GpuTestSupport.Decoder, slide, locations, 240, 0, $"seed {seed}, kernels");

        // The same bodies under Parallel.For: every aligned 240 x 240 patch of level 0, the whole slide.
        var grid = new List<PatchLocation>();
        for (long y = 0; y < slide.Levels[0].Height; y += 240)
        {
            for (long x = 0; x < slide.Levels[0].Width; x += 240)
            {
                grid.Add(new PatchLocation(x, y));
            }
        }

        Compare(GpuTestSupport.ParallelForDecoder, slide, grid, 240, 0, "whole level 0, Parallel.For");
    }

    public static TheoryData<string, int> JpegFixtures => new()
    {
        { "cog_rgb.tif", 0 },
        { "cog_hirise_mars.tif", 2 },
        { "image_geos.tif", 2 },
        { "openslide-python_small.svs", 0 },
        { "quad-tile.jpg.tiff", 0 },
        { "small_la.tiff", 0 },
        { "test_orient1.tif", 0 },
        { "tif-rgb-1res-64x56x8-tiled-jpeg.tif", 0 },
        { "tif-rgba-1res-64x56x8-tiled-jpeg.tif", 0 },
        { "tiff_tiled_ycbcr_jpeg_1x1_sampling.tif", 0 },
        { "tiff_tiled_ycbcr_jpeg_2x2_sampling.tif", 0 },
        { "tiled-jpeg-rgb-u8.tif", 0 },
    };

    [Theory]
    [MemberData(nameof(JpegFixtures))]
    public void Every_tile_of_a_real_JPEG_file_equals_the_CPU_decode(string name, int level)
    {
        string path = FixtureFiles.Real(name);
        using Slide slide = GpuTestSupport.OpenNative(path);
        SlideLevel info = slide.Levels[level];
        PixelFormat format = PixelFormat.Rgba32;
        int tw = info.TileWidth, th = info.TileHeight, bpp = format.BytesPerPixel();
        var tiles = new List<TileIndex>();
        for (long r = 0; r * th < info.Height; r++)
        {
            for (long c = 0; c * tw < info.Width; c++)
            {
                tiles.Add(new TileIndex(c, r));
            }
        }

        using DeviceBatch batch = GpuTestSupport.Decoder.DecodeTiles(slide, level, tiles, format);
        byte[] all = batch.ToArray();
        LevelSource source = slide.CheckedLevel(level, tw, th, format);
        for (int i = 0; i < tiles.Count; i++)
        {
            // The CPU reference: the tile decoded by Reader.Core with libjpeg-turbo, outside the level the fill.
            var expected = new byte[tw * th * bpp];
            Assert.True(source.Decoder.Decode(tiles[i].Column, tiles[i].Row, expected, tw * bpp, format));
            int visibleWidth = (int)Math.Min(tw, info.Width - (tiles[i].Column * tw));
            int visibleHeight = (int)Math.Min(th, info.Height - (tiles[i].Row * th));
            for (int y = 0; y < th; y++)
            {
                for (int x = 0; x < tw; x++)
                {
                    if (x >= visibleWidth || y >= visibleHeight)
                    {
                        expected.AsSpan(((y * tw) + x) * bpp, bpp).Clear();
                    }
                }
            }

            GpuTestSupport.Identical(expected, all.AsSpan(i * tw * th * bpp, tw * th * bpp).ToArray(), tw, bpp, $"{name} level {level} tile {tiles[i]} ({batch.TileOutcomes.FirstOrDefault(o => o.Tile == tiles[i])?.Path})");
        }

        bool rawComponents = name is "small_la.tiff" or "tif-rgba-1res-64x56x8-tiled-jpeg.tif"; // alpha: CPU-decoded, device-assembled
        Assert.All(batch.TileOutcomes, o => Assert.Equal(rawComponents ? TileDecodePath.Cpu : TileDecodePath.Device, o.Path));
    }

    private static void Compare(GpuDecoder decoder, Slide slide, List<PatchLocation> locations, int size, int level, string what)
    {
        var options = new BatchOptions { BatchSize = 4, Workers = 2, Shuffle = true, Seed = 11 };
        var cpuOrder = new List<PatchLocation>();
        var gpuOrder = new List<PatchLocation>();
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, size, size, level, options, cpuOrder);
        byte[] gpu = GpuTestSupport.DeviceBatches(decoder, slide, locations, size, size, level, options, gpuOrder);
        Assert.Equal(cpuOrder, gpuOrder);
        GpuTestSupport.Identical(cpu, gpu, size, 3, what);
    }
}
