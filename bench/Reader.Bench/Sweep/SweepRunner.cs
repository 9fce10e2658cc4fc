using System.Diagnostics;
using System.Globalization;
using Reader.Bench.Backends;
using Reader.Bench.Output;
using Reader.Core;

namespace Reader.Bench.Sweep;

/// <summary>Runs every configuration of a sweep and writes the table, CSV, report and plot.</summary>
internal static class SweepRunner
{
    public static int Run(SweepOptions options, TextWriter console)
    {
        string path = options.SlidePath ?? DefaultSlide.Ensure(options.Scale, null, console);
        (long width, long height, int tileWidth, int tileHeight) = Geometry(path, options.Level);
        var header = new SweepHeader(path, width, height, tileWidth, options, MachineInfo.Cpu, MachineInfo.Memory, MachineInfo.Versions,
            options.DropCaches ? "dropped before every configuration (--drop-caches)" : "warm (not dropped; pass --drop-caches as root to drop it)");
        console.WriteLine($"slide {Path.GetFileName(path)}: {width}x{height}, tile {tileWidth}x{tileHeight}, patch {options.Patch}, level {options.Level}");
        console.WriteLine($"machine: {header.Cpu}, {Environment.ProcessorCount} cores, {header.Memory}; {header.Versions}");

        var configs = Plan(options);
        var results = new List<SweepResult>();
        var progress = new ProgressLine(console, options.Progress, interactive: ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected && !Console.IsErrorRedirected);
        var rawTiles = new Dictionary<int, RawTiles>();
        var warmedStarts = new HashSet<int>();
        for (int c = 0; c < configs.Count; c++)
        {
            SweepConfig config = configs[c];
            if (warmedStarts.Add(config.Start) && BackendRegistry.Get("cpu").UnavailableReason is null)
            {
                // One untimed pass before the first configuration of each start, whatever its backend, so every
                // timed configuration finds the page cache warm and the process as the next one
                // will: code compiled, and the tile-buffer pool holding what a full cache needs (otherwise
                // the first unaligned configuration alone pays the page faults of 256 MiB of new memory).
                List<(long X, long Y)> warm = PatchList.Grid(width, height, options.Patch, config.Start);
                progress.Begin($"warm-up pass, start {config.Start} (untimed)", warm.Count);
                ThreadRunner.Threads(BackendRegistry.Get("cpu"), path, warm, options.Level, options.Patch, 1, progress.Report);
                progress.Finish($"warm-up pass, start {config.Start}: done (untimed)");
            }

            List<(long X, long Y)> all = PatchList.Grid(width, height, options.Patch, config.Start);
            int limit = options.Limit > 0 ? options.Limit
                : options.Fraction < 1 ? Math.Max(1, (int)(all.Count * options.Fraction))
                : config.Mode == ParallelMode.ProcessOpenPerPatch ? options.OpenPerPatchLimit : 0;
            List<(long X, long Y)> patches = PatchList.Sample(all, limit);
            string? absent = Absent(config);
            if (absent is not null)
            {
                results.Add(new SweepResult(config, 0, all.Count, 0, absent));
                progress.Finish($"[{c + 1}/{configs.Count}] {config.Key}: absent ({absent})");
                continue;
            }

            if (options.DropCaches)
            {
                MachineInfo.DropCaches();
            }

            progress.Begin($"[{c + 1}/{configs.Count}] {config.Key}", patches.Count);
            double seconds;
            try
            {
                seconds = Time(config, path, patches, options, rawTiles, progress.Report);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Any backend's failure (ours, OpenSlide's, libvips') is this configuration's row, not the end of the sweep.
                results.Add(new SweepResult(config, 0, all.Count, 0, $"failed: {e.GetType().Name}: {e.Message}"));
                progress.Finish($"[{c + 1}/{configs.Count}] {config.Key}: FAILED {e.Message}");
                continue;
            }

            var result = new SweepResult(config, patches.Count, all.Count, seconds);
            results.Add(result);
            progress.Finish(string.Create(CultureInfo.InvariantCulture, $"[{c + 1}/{configs.Count}] {config.Key}: {result.PatchesPerSecond:F0} patches/s ({patches.Count} patches in {seconds:F2} s)"));
        }

        List<(string Format, SweepResult Result)> formatRows = FormatRows.Run(options, console, progress);
        progress.Dispose(); // the live display ends before the tables are printed
        var report = new SweepReport(header, results);
        Directory.CreateDirectory(options.OutputFolder);
        console.WriteLine();
        console.Write(report.ConsoleTable());
        string markdown = report.Markdown();
        if (formatRows.Count > 0)
        {
            string section = FormatRows.Markdown(formatRows);
            console.WriteLine();
            console.Write(section);
            markdown += Environment.NewLine + section;
        }

        if (options.Startup)
        {
            string startup = StartupRows.Markdown(path);
            console.WriteLine();
            console.Write(startup);
            markdown += Environment.NewLine + startup;
        }

        File.WriteAllText(Path.Combine(options.OutputFolder, "results.csv"), report.Csv());
        File.WriteAllText(Path.Combine(options.OutputFolder, "report.md"), markdown);
        PlotWriter.Write(Path.Combine(options.OutputFolder, "plot.png"), results);
        console.WriteLine();
        console.Write(report.Goals());
        console.WriteLine($"wrote {Path.Combine(options.OutputFolder, "results.csv")}, report.md and plot.png");
        return 0;
    }

    internal static List<SweepConfig> Plan(SweepOptions options)
    {
        var configs = new List<SweepConfig>();
        foreach (int start in options.Starts)
        {
            foreach (int w in options.Workers)
            {
                configs.Add(new SweepConfig("raw-libjpeg-turbo", ParallelMode.RawDecode, w, start));
            }

            foreach (string backend in options.Backends)
            {
                if (BackendRegistry.Get(backend).UnavailableReason is not null)
                {
                    configs.Add(new SweepConfig(backend, options.Modes[0], options.Workers[0], start)); // one row says why it is absent
                    continue;
                }

                bool device = BackendRegistry.Get(backend) is GpuBackend;
                foreach (ParallelMode mode in options.Modes)
                {
                    if (mode == ParallelMode.Batch && backend is not ("cpu" or "cpu-managed") && !device)
                    {
                        continue; // the batch API is ours
                    }

                    if (device && mode != ParallelMode.Batch)
                    {
                        continue; // the device path is a batch path: per-patch device round trips measure nothing useful
                    }

                    if (mode == ParallelMode.RawDecode)
                    {
                        continue;
                    }

                    foreach (int w in options.Workers)
                    {
                        configs.Add(new SweepConfig(backend, mode, w, start));
                    }
                }
            }
        }

        return configs;
    }

    private static string? Absent(SweepConfig config)
    {
        if (config.Mode == ParallelMode.RawDecode)
        {
            return Reader.Reference.TurboJpeg.IsAvailable ? null : Reader.Reference.TurboJpeg.UnavailableReason;
        }

        return BackendRegistry.Get(config.Backend).UnavailableReason;
    }

    private static double Time(SweepConfig config, string path, List<(long X, long Y)> patches, SweepOptions options, Dictionary<int, RawTiles> rawTiles, Action<int> progress)
    {
        BenchBackend backend = config.Mode == ParallelMode.RawDecode ? null! : BackendRegistry.Get(config.Backend);
        return config.Mode switch
        {
            ParallelMode.RawDecode => RawRunner.Decode(RawFor(path, patches, options, rawTiles, config.Start), config.Workers, progress),
            ParallelMode.Threads => ThreadRunner.Threads(backend, path, patches, options.Level, options.Patch, config.Workers, progress),
            ParallelMode.Batch when backend is GpuBackend gpu => ThreadRunner.GpuBatch(gpu, path, patches, options.Level, options.Patch, config.Workers, progress),
            ParallelMode.Batch => ThreadRunner.Batch((OursBackend)backend, path, patches, options.Level, options.Patch, config.Workers, progress),
            _ => ProcessRunner.Run(backend, path, patches, options.Level, options.Patch, config.Workers, config.Mode, progress),
        };
    }

    /// <summary>The tiles the patches of this start touch, loaded once per start.</summary>
    private static RawTiles RawFor(string path, List<(long X, long Y)> patches, SweepOptions options, Dictionary<int, RawTiles> cache, int start)
    {
        if (!cache.TryGetValue(start, out RawTiles? tiles))
        {
            (long width, long height, int tw, int th) = Geometry(path, 0);
            var cells = new HashSet<(long, long)>();
            foreach ((long x, long y) in patches)
            {
                for (long ty = Math.Max(0, y) / th; ty <= Math.Min(height - 1, y + options.Patch - 1) / th; ty++)
                {
                    for (long tx = Math.Max(0, x) / tw; tx <= Math.Min(width - 1, x + options.Patch - 1) / tw; tx++)
                    {
                        cells.Add((tx, ty));
                    }
                }
            }

            cache[start] = tiles = RawTiles.Load(path, cells.OrderBy(c => c.Item2).ThenBy(c => c.Item1));
        }

        return tiles;
    }

    private static (long Width, long Height, int TileWidth, int TileHeight) Geometry(string path, int level)
    {
        using var slide = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        SlideLevel l = slide.Levels[level];
        return (l.Width, l.Height, l.TileWidth, l.TileHeight);
    }
}

/// <summary>The facts the report states before any number.</summary>
internal sealed record SweepHeader(string SlidePath, long Width, long Height, int TileWidth, SweepOptions Options, string Cpu, string Memory, string Versions, string PageCache);
