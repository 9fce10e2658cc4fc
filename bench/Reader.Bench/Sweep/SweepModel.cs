using System.Globalization;

namespace Reader.Bench.Sweep;

/// <summary>How patches are spread over workers, as in the cuCIM study.</summary>
internal enum ParallelMode
{
    /// <summary>N threads share one open slide.</summary>
    Threads,

    /// <summary>Processes, open the slide for every patch (the study's method 1, without its x/y swap).</summary>
    ProcessOpenPerPatch,

    /// <summary>Processes, one handle each, one job (an IPC round trip) per patch (method 2).</summary>
    ProcessJobPerPatch,

    /// <summary>Processes, one handle each, a contiguous chunk of the list each (method 3).</summary>
    ProcessChunked,

    /// <summary>Our batch API (ReadRegions) with N workers, batches of 32.</summary>
    Batch,

    /// <summary>Raw libjpeg-turbo decode of the tiles the sweep touches (the physical limit).</summary>
    RawDecode,
}

internal static class ParallelModes
{
    public static string Label(this ParallelMode mode) => mode switch
    {
        ParallelMode.Threads => "threads",
        ParallelMode.ProcessOpenPerPatch => "processes-m1",
        ParallelMode.ProcessJobPerPatch => "processes-m2",
        ParallelMode.ProcessChunked => "processes-m3",
        ParallelMode.Batch => "batch",
        _ => "raw-decode",
    };
}

/// <summary>One timed configuration.</summary>
internal sealed record SweepConfig(string Backend, ParallelMode Mode, int Workers, int Start)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Backend} {Mode.Label()} w={Workers} start={Start}");
}

/// <summary>What a configuration measured (or why it did not run).</summary>
internal sealed record SweepResult(SweepConfig Config, int PatchesTimed, int PatchesTotal, double Seconds, string? Absent = null)
{
    public double PatchesPerSecond => Seconds > 0 ? PatchesTimed / Seconds : 0;

    /// <summary>Seconds the whole list would take at the measured rate (the study's "elapsed").</summary>
    public double ProjectedSeconds => PatchesPerSecond > 0 ? PatchesTotal / PatchesPerSecond : 0;
}

/// <summary>The level-0 patch grid of the study: every (x, y) from start in steps of the patch size, edge patches included.</summary>
internal static class PatchList
{
    public static List<(long X, long Y)> Grid(long width, long height, int patch, int start)
    {
        var list = new List<(long, long)>();
        for (long y = start; y < height; y += patch)
        {
            for (long x = start; x < width; x += patch)
            {
                list.Add((x, y));
            }
        }

        return list;
    }

    /// <summary>An evenly spread sample of at most <paramref name="limit"/> patches (all when the limit is 0).</summary>
    public static List<(long X, long Y)> Sample(List<(long X, long Y)> all, int limit)
    {
        if (limit <= 0 || limit >= all.Count)
        {
            return all;
        }

        var sample = new List<(long, long)>(limit);
        double step = (double)all.Count / limit;
        for (int i = 0; i < limit; i++)
        {
            sample.Add(all[(int)(i * step)]);
        }

        return sample;
    }
}
