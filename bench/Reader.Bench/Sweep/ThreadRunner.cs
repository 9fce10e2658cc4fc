using System.Diagnostics;
using Reader.Bench.Backends;
using Reader.Core;
using Reader.Core.Batch;

namespace Reader.Bench.Sweep;

/// <summary>Times N threads sharing one open slide, and our batch API with N workers.</summary>
internal static class ThreadRunner
{
    public const int WarmUpPatches = 16;

    public static double Threads(BenchBackend backend, string path, List<(long X, long Y)> patches, int level, int size, int workers, Action<int> progress)
    {
        using IPatchSource source = backend.Open(path);
        WarmUp(source, patches, level, size);
        int next = 0, done = 0;
        var watch = Stopwatch.StartNew();
        var threads = new Thread[workers];
        Exception? failure = null;
        for (int t = 0; t < workers; t++)
        {
            threads[t] = new Thread(() =>
            {
                var scratch = new PatchScratch(size, size);
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next) - 1) < patches.Count)
                    {
                        source.Read(patches[i].X, patches[i].Y, level, size, size, scratch);
                        if ((Interlocked.Increment(ref done) & 63) == 0)
                        {
                            progress(Volatile.Read(ref done));
                        }
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            })
            { IsBackground = true };
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        double seconds = watch.Elapsed.TotalSeconds;
        if (failure is not null)
        {
            throw new InvalidOperationException($"{backend.Name}: {failure.Message}", failure);
        }

        return seconds;
    }

    /// <summary>Our batch API: the same reads as <see cref="Threads"/>, through ReadRegions.</summary>
    public static double Batch(OursBackend backend, string path, List<(long X, long Y)> patches, int level, int size, int workers, Action<int> progress)
    {
        using var slide = Slide.Open(path, backend.Options);
        var locations = patches.Select(p => new PatchLocation(p.X, p.Y)).ToList();
        var scratch = new byte[size * size * 3];
        for (int i = 0; i < Math.Min(WarmUpPatches, locations.Count); i++)
        {
            slide.ReadRegion(locations[^(i + 1)].X, locations[^(i + 1)].Y, level, size, size, scratch, PixelFormat.Rgb24);
        }

        var watch = Stopwatch.StartNew();
        int done = 0;
        foreach (PatchBatch batch in slide.ReadRegions(locations, size, size, level, new BatchOptions { Workers = workers, BatchSize = 32, Prefetch = 2 * workers }))
        {
            done += batch.Count;
            batch.Dispose();
            progress(done);
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The device batch API: the same patches as <see cref="Batch"/>, in device batches of
    /// <see cref="GpuBackend.BatchSize"/>, left in device memory (disposed unread, as a GPU training step would consume them).
    /// </summary>
    public static double GpuBatch(GpuBackend backend, string path, List<(long X, long Y)> patches, int level, int size, int workers, Action<int> progress)
    {
        using var slide = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        using Reader.Gpu.GpuDecoder decoder = backend.Decoder(); // kernels load here, untimed
        var locations = patches.Select(p => new PatchLocation(p.X, p.Y)).ToList();
        var options = new BatchOptions { Workers = workers, BatchSize = GpuBackend.BatchSize, Prefetch = 2 };
        foreach (Reader.Gpu.DeviceBatch warm in decoder.ReadRegions(slide, locations[^Math.Min(WarmUpPatches, locations.Count)..], size, size, level, options))
        {
            warm.Dispose();
        }

        var watch = Stopwatch.StartNew();
        int done = 0;
        foreach (Reader.Gpu.DeviceBatch batch in decoder.ReadRegions(slide, locations, size, size, level, options))
        {
            done += batch.Count;
            batch.Dispose();
            progress(done);
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>JIT, decoder creation and the first file reads happen before the clock starts.</summary>
    internal static void WarmUp(IPatchSource source, List<(long X, long Y)> patches, int level, int size)
    {
        var scratch = new PatchScratch(size, size);
        for (int i = 0; i < Math.Min(WarmUpPatches, patches.Count); i++)
        {
            (long x, long y) = patches[patches.Count - 1 - i]; // from the far end: the timed run starts cold
            source.Read(x, y, level, size, size, scratch);
        }
    }
}
