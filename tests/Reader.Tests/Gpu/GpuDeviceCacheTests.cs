using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// The device tile cache (<see cref="GpuReaderOptions.DeviceTileCacheBytes"/>): a repeated epoch and overlapping
/// regions copy tiles from device memory instead of fetching and decoding them, bytes equal to the CPU; a small
/// cache evicts least recently used tiles and still gives the same bytes; statistics count it all.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuDeviceCacheTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 400, Height = 300, TileWidth = 64, TileHeight = 64, Levels = 1, Quality = 80, Seed = 9 };

    [Fact]
    public void A_second_epoch_is_served_from_the_device_cache_with_the_same_bytes()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        using var decoder = new GpuDecoder(GpuTestSupport.Cpu with { DeviceTileCacheBytes = 16L << 20 });
        var locations = new List<PatchLocation> { new(10, 10), new(100, 40), new(250, 200), new(-20, 150) };
        var options = new BatchOptions { BatchSize = 2, Workers = 2 };
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 90, 70, 0, options);
        var first = new List<TileOutcome>();
        var second = new List<TileOutcome>();
        GpuTestSupport.Identical(cpu, GpuTestSupport.DeviceBatches(decoder, slide, locations, 90, 70, 0, options, outcomes: first), 90, 3, "epoch 1");
        DeviceCacheStatistics afterFirst = decoder.CacheStatistics;
        GpuTestSupport.Identical(cpu, GpuTestSupport.DeviceBatches(decoder, slide, locations, 90, 70, 0, options, outcomes: second), 90, 3, "epoch 2");
        DeviceCacheStatistics afterSecond = decoder.CacheStatistics;

        Assert.DoesNotContain(first, o => o.Path == TileDecodePath.Cached);
        Assert.All(second.Where(o => o.Path != TileDecodePath.Missing), o => Assert.Equal(TileDecodePath.Cached, o.Path));
        int distinct = second.Select(o => o.Tile).Distinct().Count();
        Assert.Equal(distinct, afterSecond.Hits - afterFirst.Hits);
        Assert.Equal(0, afterSecond.Evictions);
        Assert.Equal(distinct * 64L * 64 * 3, afterSecond.BytesInUse);
        Assert.Equal(16L << 20, afterSecond.Capacity);
    }

    [Fact]
    public void Overlapping_regions_reuse_tiles_and_a_small_cache_evicts_the_least_recently_used()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        using var decoder = new GpuDecoder(GpuTestSupport.Cpu with { DeviceTileCacheBytes = 6 * 64 * 64 * 3 }); // six tiles
        foreach ((long x, long y) in new[] { (0L, 0L), (30L, 10L), (200L, 100L), (0L, 0L), (330L, 230L), (35L, 12L) })
        {
            using DeviceBatch region = decoder.ReadRegion(slide, x, y, 0, 100, 60);
            GpuTestSupport.Identical(slide.ReadRegion(x, y, 0, 100, 60, PixelFormat.Rgb24), region.ToArray(), 100, 3, $"region ({x}, {y})");
        }

        DeviceCacheStatistics stats = decoder.CacheStatistics;
        Assert.True(stats.Hits > 0, stats.ToString());
        Assert.True(stats.Evictions > 0, stats.ToString());
        Assert.True(stats.BytesInUse <= stats.Capacity, stats.ToString());

        using DeviceBatch again = decoder.ReadRegion(slide, 35, 12, 0, 100, 60); // the last region's six tiles are the ones cached
        Assert.All(again.TileOutcomes, o => Assert.Equal(TileDecodePath.Cached, o.Path));
        Assert.Equal(again.TileOutcomes.Count, again.Timings.CachedTiles);
    }
}
