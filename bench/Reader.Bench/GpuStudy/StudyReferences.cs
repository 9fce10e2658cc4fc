using System.Diagnostics;
using Reader.Reference.OpenSlide;

namespace Reader.Bench.GpuStudy;

/// <summary>
/// The study's reference paths, self-contained so the study also builds alone (Reader.DeviceCheck): OpenSlide
/// with N threads sharing one handle (its premultiplied ARGB as returned), and raw libjpeg-turbo (TurboJPEG) on
/// the same tiles held in memory with JPEGTables spliced in.
/// </summary>
internal static class StudyReferences
{
    private const int WarmUp = 16;

    public static double OpenSlide(string path, IReadOnlyList<(long X, long Y)> patches, int size, int workers)
    {
        using OpenSlideImage image = OpenSlideImage.Open(path);
        var warm = new uint[size * size];
        for (int i = 0; i < Math.Min(WarmUp, patches.Count); i++)
        {
            image.ReadRegion(patches[^(i + 1)].X, patches[^(i + 1)].Y, 0, size, size, warm);
        }

        int next = 0;
        return Parallel(workers, () =>
        {
            var argb = new uint[size * size];
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < patches.Count)
            {
                image.ReadRegion(patches[i].X, patches[i].Y, 0, size, size, argb);
            }
        });
    }

    public static double RawLibjpegTurbo(string path, IEnumerable<(long Tx, long Ty)> tiles, int workers)
    {
        RawTiles raw = RawTiles.Load(path, tiles);
        raw.Decode(0, Math.Min(WarmUp, raw.Tiles.Count));
        int next = 0;
        const int chunk = 16;
        return Parallel(workers, () =>
        {
            int start;
            while ((start = Interlocked.Add(ref next, chunk) - chunk) < raw.Tiles.Count)
            {
                raw.Decode(start, Math.Min(start + chunk, raw.Tiles.Count));
            }
        });
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="workers"/> threads; the wall time in seconds.</summary>
    private static double Parallel(int workers, Action work)
    {
        Exception? failure = null;
        var threads = new Thread[workers];
        var watch = Stopwatch.StartNew();
        for (int t = 0; t < workers; t++)
        {
            threads[t] = new Thread(() =>
            {
                try
                {
                    work();
                }
                catch (Exception e) when (e is OpenSlideException or InvalidOperationException)
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

        if (failure is not null)
        {
            throw new InvalidOperationException("reference path failed: " + failure.Message, failure);
        }

        return watch.Elapsed.TotalSeconds;
    }
}
