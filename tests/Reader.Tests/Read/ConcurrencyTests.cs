using Reader.Core;
using Reader.Core.Cache;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Read;

/// <summary>One slide shared by many threads gives exactly what one thread gives, whatever the cache.</summary>
public class ConcurrencyTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 1500, Height = 1100, TileWidth = 128, TileHeight = 128, Levels = 3, Quality = 85 };

    public static TheoryData<long> Capacities => [0, 128 * 128 * 3, TileCache.DefaultCapacity];

    [Theory]
    [MemberData(nameof(Capacities))]
    public void Eight_threads_read_what_one_thread_reads(long capacity)
    {
        string path = TestSlides.Get(Spec);
        var regions = RandomRegions(new Random(11), 400);
        byte[][] expected;
        using (var single = Slide.Open(path, new SlideOptions { CacheCapacity = 0 }))
        {
            expected = [.. regions.Select(r => single.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, PixelFormat.Rgb24))];
        }

        using var shared = Slide.Open(path, new SlideOptions { CacheCapacity = capacity });
        var actual = new byte[regions.Count][];
        Parallel.For(0, regions.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var r = regions[i];
            actual[i] = shared.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, PixelFormat.Rgb24);
        });
        for (int i = 0; i < regions.Count; i++)
        {
            PixelAssert.Equal(expected[i], actual[i], regions[i].W, 3, $"region {i} {regions[i]} capacity {capacity}");
        }

        if (shared.Cache is not null)
        {
            Assert.True(shared.Cache.Statistics.PeakBytes <= capacity, $"peak {shared.Cache.Statistics.PeakBytes} > capacity {capacity}");
        }
    }

    [Fact]
    public void Disposing_while_other_threads_read_gives_them_ObjectDisposedException_only()
    {
        string path = TestSlides.Get(Spec);
        var slide = Slide.Open(path);
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var start = new ManualResetEventSlim();
        int disposedSeen = 0;
        using var reading = new CountdownEvent(6);
        var threads = Enumerable.Range(0, 6).Select(t => new Thread(() =>
        {
            var rng = new Random(t);
            start.Wait();
            for (int i = 0; i < 1_000_000; i++) // until the slide is disposed under it
            {
                try
                {
                    slide.ReadRegion(rng.Next(0, 1400), rng.Next(0, 1000), 0, 100, 100, PixelFormat.Rgb24);
                    if (i == 0)
                    {
                        reading.Signal();
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedSeen);
                    return;
                }
                catch (Exception e)
                {
                    failures.Add(e);
                    return;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        Assert.True(reading.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the readers did not start");
        slide.Dispose();
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        Assert.Equal(6, disposedSeen); // every reader was still reading when the slide went away
        Assert.Throws<ObjectDisposedException>(() => slide.ReadRegion(0, 0, 0, 10, 10, PixelFormat.Rgb24));
    }

    internal static List<(long X, long Y, int Level, int W, int H)> RandomRegions(Random rng, int count)
    {
        var list = new List<(long, long, int, int, int)>();
        for (int i = 0; i < count; i++)
        {
            int level = rng.Next(3);
            bool aligned = rng.Next(2) == 0;
            long x = aligned ? rng.Next(0, 11) * 128L << level : rng.Next(-50, 1500);
            long y = aligned ? rng.Next(0, 8) * 128L << level : rng.Next(-50, 1100);
            list.Add((x, y, level, aligned ? 128 : rng.Next(1, 300), aligned ? 128 : rng.Next(1, 300)));
        }

        return list;
    }
}
