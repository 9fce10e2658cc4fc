using Reader.Core;
using Reader.Core.Cache;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;
using Reader.Tests.Read;

namespace Reader.Tests.Cache;

/// <summary>The decoded-tile cache: its bound, single-flight decoding, statistics, sharing, eviction.</summary>
public class TileCacheTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 1500, Height = 1100, TileWidth = 128, TileHeight = 128, Levels = 3, Quality = 85 };
    private const int TileBytes = 128 * 128 * 3;

    [Fact]
    public void The_bound_holds_under_churn_from_many_threads()
    {
        long capacity = 10 * TileBytes;
        using var cache = new TileCache(capacity);
        using var slide = Slide.Open(TestSlides.Get(Spec), new SlideOptions { Cache = cache });
        var regions = ConcurrencyTests.RandomRegions(new Random(3), 1500);
        long worst = 0;
        bool running = true;
        var watcher = new Thread(() =>
        {
            while (Volatile.Read(ref running))
            {
                long now = cache.Statistics.BytesInUse;
                if (now > worst)
                {
                    worst = now;
                }
            }
        });
        watcher.Start();
        Parallel.ForEach(regions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, r => slide.ReadRegion(r.X + 1, r.Y + 1, r.Level, r.W, r.H, PixelFormat.Rgb24));
        Volatile.Write(ref running, false);
        watcher.Join();
        TileCacheStatistics s = cache.Statistics;
        Assert.True(worst <= capacity, $"observed {worst} bytes in use, capacity {capacity}");
        Assert.True(s.PeakBytes <= capacity, $"peak {s.PeakBytes}, capacity {capacity}");
        Assert.True(s.Evictions > 0, "the test must actually churn");
        Assert.True(s.Entries <= 10);
    }

    [Fact]
    public void A_tile_many_threads_want_at_once_is_decoded_once()
    {
        using var cache = new TileCache();
        using var slide = Slide.Open(TestSlides.Get(Spec), new SlideOptions { Cache = cache });
        using var barrier = new Barrier(8);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            barrier.SignalAndWait();
            // Unaligned: the four tiles around (128, 128) all go through the cache.
            slide.ReadRegion(100, 100, 0, 60, 60, PixelFormat.Rgb24);
        });
        TileCacheStatistics s = cache.Statistics;
        Assert.Equal(4, s.Misses); // each tile decoded exactly once
        Assert.Equal((8 * 4) - 4, s.Hits); // everyone else waited or hit
        Assert.Equal(4, s.Entries);
    }

    [Fact]
    public void Statistics_add_up_and_reset()
    {
        using var cache = new TileCache();
        using var slide = Slide.Open(TestSlides.Get(Spec), new SlideOptions { Cache = cache });
        // (64, 64) 256x256 touches 3x3 tiles: 8 partly (through the cache) and tile (1, 1) whole,
        // which an aligned read decodes straight into the destination without caching.
        slide.ReadRegion(64, 64, 0, 256, 256, PixelFormat.Rgb24);
        Assert.Equal(new TileCacheStatistics(0, 8, 0, 0, 8L * TileBytes, 8L * TileBytes, 8, cache.Capacity), cache.Statistics);
        slide.ReadRegion(64, 64, 0, 256, 256, PixelFormat.Rgba32);
        Assert.Equal(8, cache.Statistics.Hits);
        Assert.Equal(8, cache.Statistics.Misses);

        // A whole-tile read is served from the cache when the tile is there.
        slide.ReadRegion(256, 256, 0, 128, 128, PixelFormat.Rgb24);
        Assert.Equal(9, cache.Statistics.Hits);
        cache.ResetStatistics();
        Assert.Equal(0, cache.Statistics.Hits + cache.Statistics.Misses);
        Assert.Equal(8L * TileBytes, cache.Statistics.BytesInUse);
    }

    [Fact]
    public void One_cache_serves_two_slides_without_mixing_their_tiles()
    {
        using var cache = new TileCache();
        using var a = Slide.Open(TestSlides.Get(Spec), new SlideOptions { Cache = cache });
        using var b = Slide.Open(TestSlides.Get(Spec with { Seed = 99 }), new SlideOptions { Cache = cache });
        byte[] ra = a.ReadRegion(10, 10, 0, 100, 100);
        byte[] rb = b.ReadRegion(10, 10, 0, 100, 100);
        Assert.NotEqual(ra, rb);
        Assert.Equal(ra, a.ReadRegion(10, 10, 0, 100, 100));
        Assert.Equal(rb, b.ReadRegion(10, 10, 0, 100, 100));
        Assert.Equal(2, cache.Statistics.Entries);
        b.Dispose();
        Assert.Equal(1, cache.Statistics.Entries); // a disposed slide's tiles leave the shared cache
    }

    [Fact]
    public void A_cache_of_one_tile_still_reads_correctly_and_a_zero_cache_never_caches()
    {
        string path = TestSlides.Get(Spec);
        using var none = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        using var one = Slide.Open(path, new SlideOptions { CacheCapacity = TileBytes });
        Assert.Null(none.Cache);
        byte[] expected = none.ReadRegion(3, 5, 0, 300, 200);
        Assert.Equal(expected, one.ReadRegion(3, 5, 0, 300, 200));
        Assert.True(one.Cache!.Statistics.BytesInUse <= TileBytes);
    }

    [Fact]
    public void A_failed_decode_is_not_cached_and_every_waiter_sees_the_error()
    {
        string path = SlideSurgery.WithCorruptTile(TestSlides.Get(Spec), 0, 1, 1);
        using var slide = Slide.Open(path);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        Parallel.For(0, 4, _ =>
        {
            try
            {
                slide.ReadRegion(130, 130, 0, 20, 20, PixelFormat.Rgb24);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        });
        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.IsType<CorruptSlideException>(e));
        Assert.All(errors, e => Assert.Contains("tile (1, 1)", e.Message, StringComparison.Ordinal));
        Assert.Equal(0, slide.Cache!.Statistics.Entries);
        Assert.Equal(0, slide.Cache.Statistics.BytesInUse);
    }
}
