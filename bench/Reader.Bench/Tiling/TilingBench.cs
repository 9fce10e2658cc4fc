using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reader.Loader;
using Reader.Native.Jpeg;

namespace Reader.Bench.Tiling;

/// <summary>
/// tiling: patches/s of wsi tile as a process against the same work in-process through the training loader (its grid
/// epoch, each patch read by SlideDataset.ReadPatch and JPEG-encoded, on the same number of threads), with the
/// loader's batches (read only) for scale; and the wall time of one array task against two concurrent ones (--shard
/// 0/2 and 1/2, one thread each), for WebDataset and DeepZoom output. One run, ratios from it.
/// </summary>
internal static class TilingBench
{
    public static Command Create()
    {
        var manifest = new Option<string?>("--manifest") { Description = "a manifest to tile (default: a generated cohort)" };
        var count = new Option<int>("--count") { Description = "generated slides", DefaultValueFactory = _ => 12 };
        var width = new Option<int>("--width") { Description = "width of the largest generated slide", DefaultValueFactory = _ => 6144 };
        var size = new Option<int>("--size") { Description = "patch size", DefaultValueFactory = _ => 256 };
        var mpp = new Option<double?>("--mpp") { Description = "target mpp (default: level 0 as stored)" };
        var threads = new Option<int>("--threads") { Description = "threads for the per-process comparison", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string?>("--out") { Description = "report folder (default bench/results/tiling-<date>)" };
        var command = new Command("tiling", "wsi tile per process against the in-process loader, and 1 vs 2 array tasks") { manifest, count, width, size, mpp, threads, output };
        command.SetAction(p => Run(p.GetValue(manifest), p.GetValue(count), p.GetValue(width), p.GetValue(size), p.GetValue(mpp), p.GetValue(threads), p.GetValue(output)));
        return command;
    }

    private static int Run(string? manifest, int count, int width, int size, double? mpp, int threads, string? output)
    {
        string root = RepositoryRoot();
        string wsi = Path.Combine(root, "src", "Reader.Cli", "bin", "Release", "net10.0", "wsi.dll");
        if (!File.Exists(wsi))
        {
            Console.Error.WriteLine($"tiling: {wsi} is missing: ./build.sh build first");
            return 2;
        }

        string work = Path.Combine(Path.GetTempPath(), $"wsi-tiling-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            manifest ??= CohortCommand.Write(Path.Combine(work, "slides"), count, width);
            string[] shape = mpp is { } m ? ["--mpp", m.ToString("R", CultureInfo.InvariantCulture)] : [];
            var loaderOptions = new LoaderOptions
            {
                Patch = new PatchShape { Width = size, Height = size, Resolution = mpp is { } t ? Reader.Core.Loader.PatchResolution.AtMpp(t) : null },
                Sampling = new SamplingOptions { Mode = SamplingMode.Grid, Shuffle = false },
                Workers = 1,
                BatchSize = 64,
            };

            // Warm the page cache and the JIT paths once, untimed.
            string sizeText = size.ToString(CultureInfo.InvariantCulture), threadText = threads.ToString(CultureInfo.InvariantCulture);
            Tile(wsi, manifest, Path.Combine(work, "warm"), ["--threads", threadText, "--size", sizeText, .. shape]);

            (long patches, double batchSeconds) = LoaderBatches(manifest, loaderOptions with { Workers = threads });
            double inProcessSeconds = LoaderEncode(manifest, loaderOptions, threads);
            var perProcess = Stopwatch.StartNew();
            Tile(wsi, manifest, Path.Combine(work, "process"), ["--threads", threadText, "--size", sizeText, "--quality", "90", .. shape]);
            double processSeconds = perProcess.Elapsed.TotalSeconds;

            var rows = new List<(string Format, double One, double Two)>();
            foreach (string[] format in new[] { new[] { "--format", "webdataset" }, new[] { "--format", "dzi" } })
            {
                string[] args = ["--threads", "1", "--size", sizeText, "--quality", "90", .. format, .. shape];
                var one = Stopwatch.StartNew();
                Tile(wsi, manifest, Path.Combine(work, "one-" + format[1]), args);
                double oneSeconds = one.Elapsed.TotalSeconds;
                var two = Stopwatch.StartNew();
                Process a = Start(wsi, manifest, Path.Combine(work, "two-" + format[1]), [.. args, "--shard", "0/2"]);
                Process b = Start(wsi, manifest, Path.Combine(work, "two-" + format[1]), [.. args, "--shard", "1/2"]);
                Finish(a);
                Finish(b);
                rows.Add((format[1], oneSeconds, two.Elapsed.TotalSeconds));
            }

            double batchRate = patches / batchSeconds, inProcessRate = patches / inProcessSeconds, processRate = patches / processSeconds;
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"# wsi tile bench ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average at start {LoadAverage()}, one run)");
            report.AppendLine(CultureInfo.InvariantCulture, $"{patches} patches of {size}x{size} ({(mpp is null ? "level 0" : $"{mpp} mpp")}) from {manifest}; JPEG Q90");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"| {threads} thread(s) | seconds | patches/s | ratio |");
            report.AppendLine("|---|---:|---:|---:|");
            report.AppendLine(CultureInfo.InvariantCulture, $"| loader in-process: grid epoch read by SlideDataset.ReadPatch + JPEG encode | {inProcessSeconds:F2} | {inProcessRate:F0} | 1.00 |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| wsi tile, one process (start-up, plan, read, encode, tar, Parquet, markers) | {processSeconds:F2} | {processRate:F0} | {processRate / inProcessRate:F2} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| (scale) loader batches, read only, {threads} worker(s) | {batchSeconds:F2} | {batchRate:F0} | {batchRate / inProcessRate:F2} |");
            report.AppendLine();
            report.AppendLine("| output, 1 thread per task | 1 task, s | 2 tasks at once, s | speed-up |");
            report.AppendLine("|---|---:|---:|---:|");
            foreach ((string format, double oneSeconds, double twoSeconds) in rows)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {format} | {oneSeconds:F2} | {twoSeconds:F2} | {oneSeconds / twoSeconds:F2} |");
            }

            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"wsi tile per process / in-process loader: {processRate / inProcessRate:F2}x (goal >= 0.9x)");
            report.AppendLine(CultureInfo.InvariantCulture, $"2 array tasks / 1 task: {string.Join(", ", rows.Select(r => $"{r.Format} {r.One / r.Two:F2}x"))} (goal >= 1.8x)");
            string folder = output ?? Path.Combine(root, "bench", "results", $"tiling-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "tiling.md"), report.ToString());
            Console.Write(report);
            Console.WriteLine($"report: {Path.Combine(folder, "tiling.md")}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (long Patches, double Seconds) LoaderBatches(string manifest, LoaderOptions options)
    {
        using var dataset = SlideDataset.FromManifest(manifest, options);
        var clock = Stopwatch.StartNew();
        long patches = 0;
        foreach (LoaderBatch batch in dataset.Batches(0))
        {
            using (batch)
            {
                patches += batch.Count;
            }
        }

        return (patches, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The tiler's work in-process: every grid patch read through the loader and encoded, on <paramref name="threads"/> threads.</summary>
    private static double LoaderEncode(string manifest, LoaderOptions options, int threads)
    {
        using var dataset = SlideDataset.FromManifest(manifest, options);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<LoaderPatch> epoch = dataset.Epoch(0);
        int size = options.Patch.Width;
        long bytes = 0;
        Parallel.For(0, epoch.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new byte[size * size * 3], (i, _, pixels) =>
        {
            dataset.ReadPatch(epoch[i], pixels);
            Interlocked.Add(ref bytes, NativeJpegEncoder.Encode(pixels, size, size, size * 3, 3, JpegColorSpace.YCbCr, 90).Length);
            return pixels;
        }, _ => { });
        return clock.Elapsed.TotalSeconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Tile(string wsi, string manifest, string output, string[] args) => Finish(Start(wsi, manifest, output, args));

    private static Process Start(string wsi, string manifest, string output, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])[wsi, "tile", manifest, "--out", output, .. args])
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }

    private static void Finish(Process process)
    {
        using (process)
        {
            process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wsi tile exited {process.ExitCode}: {error}");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Reader.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("run the bench from the repository (Reader.sln not found above " + AppContext.BaseDirectory + ")");
    }
}
