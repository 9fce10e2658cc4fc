using System.Collections.Concurrent;
using System.Diagnostics;
using Reader.Core;
using Reader.Native.Jpeg;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>
/// 8 threads of random reads (all levels, aligned and not) through a small cache that must churn,
/// while other threads open and dispose slides: no exception, results equal to a single-threaded
/// reference on a sample, memory stable, native decoders released. The CI run does 8 x 4,000 reads;
/// ./build.sh stress (WSI_STRESS_LONG=1) does 8 x 100,000.
/// </summary>
[Collection(nameof(HostileFilesRunAlone))]
public class StressTests
{
    private static readonly SyntheticSlideSpec Jpeg = new() { Width = 3000, Height = 2000, TileWidth = 256, TileHeight = 256, Levels = 4, Quality = 85 };
    private static readonly SyntheticSlideSpec Deflate = new() { Width = 1500, Height = 1000, TileWidth = 128, TileHeight = 128, Levels = 3, Compression = SlideCompression.Deflate, Predictor = true };

    [Fact]
    [Trait("Category", "Stress")]
    public void Eight_threads_of_random_reads_with_a_churning_cache()
    {
        bool longRun = Environment.GetEnvironmentVariable("WSI_STRESS_LONG") == "1";
        int readsPerThread = longRun ? 100_000 : 4_000;
        string jpegPath = TestSlides.Get(Jpeg), deflatePath = TestSlides.Get(Deflate);

        // The reference for a sample of reads, single-threaded, no cache.
        var rng = new Random(2024);
        var sample = Enumerable.Range(0, 64).Select(_ => RandomRead(rng)).ToList();
        var expected = new Dictionary<int, byte[]>();
        using (var single = Slide.Open(jpegPath, new SlideOptions { CacheCapacity = 0 }))
        {
            for (int i = 0; i < sample.Count; i++)
            {
                var r = sample[i];
                expected[i] = single.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, PixelFormat.Rgb24);
            }
        }

        long handlesBefore = LiveNativeDecoders();
        var failures = new ConcurrentBag<string>();
        long workingSetAt10 = 0, heapAt10 = 0, done = 0, total = 8L * readsPerThread;
        using var slide = Slide.Open(jpegPath, new SlideOptions { CacheCapacity = 12L * 256 * 256 * 3 }); // 12 tiles: heavy churn
        var watch = Stopwatch.StartNew();
        var readers = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var local = new Random(t * 7919);
            var buffer = new byte[256 * 256 * 4]; // as a loader would: one buffer, reused
            try
            {
                for (int i = 0; i < readsPerThread; i++)
                {
                    if (i % 50 == 0)
                    {
                        int s = local.Next(sample.Count);
                        var r = sample[s];
                        byte[] got = slide.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, PixelFormat.Rgb24);
                        if (!got.AsSpan().SequenceEqual(expected[s]))
                        {
                            failures.Add($"sample {s} {r} differs from the single-threaded reference");
                        }
                    }
                    else
                    {
                        var r = RandomRead(local);
                        slide.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, buffer, i % 3 == 0 ? PixelFormat.Rgba32 : PixelFormat.Rgb24);
                    }

                    if (Interlocked.Increment(ref done) == total / 10)
                    {
                        Interlocked.Exchange(ref heapAt10, GC.GetTotalMemory(forceFullCollection: true));
                        Interlocked.Exchange(ref workingSetAt10, WorkingSet());
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"reader {t}: {e}");
            }
        })).ToList();

        // Slides opened, read and disposed concurrently, one of them under a reader's feet.
        bool running = true;
        var churn = new Thread(() =>
        {
            var local = new Random(5);
            while (Volatile.Read(ref running))
            {
                try
                {
                    using var other = Slide.Open(local.Next(2) == 0 ? jpegPath : deflatePath);
                    var victim = Slide.Open(deflatePath);
                    int readerSeed = local.Next(); // Random is not thread-safe: the reader gets its own
                    // A dedicated thread (not the pool) so its decoder dies with it and the handle count can be checked.
                    var reader = new Thread(() =>
                    {
                        try
                        {
                            var mine = new Random(readerSeed);
                            for (int i = 0; i < 50; i++)
                            {
                                victim.ReadRegion(mine.Next(1400), mine.Next(900), 0, 100, 100, PixelFormat.Rgb24);
                            }
                        }
                        catch (ObjectDisposedException)
                        {
                            // expected: disposed under our feet
                        }
                        catch (Exception e)
                        {
                            failures.Add("reader of a disposed slide: " + e);
                        }
                    });
                    reader.Start();
                    other.ReadRegion(local.Next(1400), local.Next(900), 0, 200, 100, PixelFormat.Rgb24);
                    victim.Dispose();
                    reader.Join();
                }
                catch (Exception e)
                {
                    failures.Add("open/dispose churn: " + e);
                    return;
                }
            }
        });

        readers.ForEach(t => t.Start());
        churn.Start();
        readers.ForEach(t => t.Join());
        Volatile.Write(ref running, false);
        churn.Join();
        long heapAt100 = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAt100 = WorkingSet();
        double seconds = watch.Elapsed.TotalSeconds;

        Assert.Empty(failures);
        Assert.True(slide.Cache!.Statistics.Evictions > 1000, "the cache must churn");
        Assert.True(slide.Cache.Statistics.PeakBytes <= slide.Cache.Capacity);
        string report = $"stress: {total} reads in {seconds:F1} s; managed heap {heapAt10 >> 20} MiB at 10% of the run, {heapAt100 >> 20} MiB at 100%; working set {workingSetAt10 >> 20} and {workingSetAt100 >> 20} MiB";
        TestContext.Current.SendDiagnosticMessage(report);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "wsi-stress-report.txt"), report + Environment.NewLine);

        // Stable: what survives a full collection does not grow with the number of reads.
        Assert.True(heapAt100 < heapAt10 + (64L << 20), report);

        // The reader threads are gone: their decoders must be released (threads of earlier tests may end meanwhile: never more than before).
        long handlesAfter = LiveNativeDecoders();
        Assert.True(handlesAfter <= handlesBefore, $"native decoders alive: {handlesBefore} before the run, {handlesAfter} after");
    }

    private static (long X, long Y, int Level, int W, int H) RandomRead(Random rng)
    {
        int level = rng.Next(4);
        bool aligned = rng.Next(3) == 0;
        long x = aligned ? rng.Next(0, 12) * (256L << level) : rng.Next(-100, 3000);
        long y = aligned ? rng.Next(0, 8) * (256L << level) : rng.Next(-100, 2000);
        return (x, y, level, aligned ? 256 : rng.Next(1, 200), aligned ? 256 : rng.Next(1, 200));
    }

    private static long WorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static long LiveNativeDecoders()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return Reader.Native.NativeShim.IsAvailable ? NativeJpegDecoder.LiveHandles : 0;
    }
}
