using System.Diagnostics;

namespace Reader.Bench.Sweep;

/// <summary>The limit row: raw libjpeg-turbo decode of the tiles the sweep touches, 1 and N threads.</summary>
internal static class RawRunner
{
    public static double Decode(RawTiles tiles, int workers, Action<int> progress)
    {
        tiles.Decode(0, Math.Min(ThreadRunner.WarmUpPatches, tiles.Tiles.Count));
        int next = 0, done = 0;
        const int chunk = 16;
        var watch = Stopwatch.StartNew();
        var threads = new Thread[workers];
        for (int t = 0; t < workers; t++)
        {
            threads[t] = new Thread(() =>
            {
                int start;
                while ((start = Interlocked.Add(ref next, chunk) - chunk) < tiles.Tiles.Count)
                {
                    int n = tiles.Decode(start, Math.Min(start + chunk, tiles.Tiles.Count));
                    progress(Interlocked.Add(ref done, n));
                }
            })
            { IsBackground = true };
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        return watch.Elapsed.TotalSeconds;
    }
}
