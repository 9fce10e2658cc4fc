using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reader.Bench.Backends;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Loader;
using Reader.Loader;
using Reader.Reference.OpenSlide;
using Reader.SlideWriter;

namespace Reader.Bench.Loader;

internal sealed record LoaderBenchOptions
{
    public int Slides { get; init; } = 24;

    public int PatchesPerSlide { get; init; } = 48;

    public int Patch { get; init; } = 224;

    public double Mpp { get; init; } = 0.5;

    public int Epochs { get; init; } = 10;

    public IReadOnlyList<int> Workers { get; init; } = [.. WorkerSteps.Where(w => w <= Environment.ProcessorCount).DefaultIfEmpty(1)];

    private static int[] WorkerSteps { get; } = [1, 2, 4, 8, 16];

    public string OutputFolder { get; init; } = Path.Combine("bench", "results", DateTime.Now.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture) + "-loader");
}

/// <summary>
/// ./build.sh bench loader: random tissue-filtered patches at an mpp over generated slides of mixed formats (Aperio
/// JPEG, Aperio JPEG 2000, generic TIFF JPEG 4:4:4 and deflate without mpp, NDPI), through the loader, against (a) our
/// own single-slide ReadRegions on the same patches with the same resize and (b) the loop users write today
/// (OpenSlide read_region per patch, handles kept open, plus the same resize); worker scaling; peak RSS per epoch.
/// </summary>
internal static class LoaderBench
{
    private const double FallbackMpp = 0.3; // generic TIFFs record no mpp: 0.3 makes them read level 0 and resize

    public static int Run(LoaderBenchOptions options, TextWriter console)
    {
        List<SlideEntry> slides = EnsureSlides(options, console);
        var loaderOptions = new LoaderOptions
        {
            Patch = new PatchShape { Width = options.Patch, Height = options.Patch, Resolution = new PatchResolution { Mpp = options.Mpp, FallbackMpp = FallbackMpp } },
            Tissue = new TissueOptions(),
            MinTissue = 0.5,
            Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = options.PatchesPerSlide, Seed = 7 },
            BatchSize = 32,
            Workers = 1,
        };
        var rows = new List<(string What, string Value)>();
        var bars = new List<(string Name, double Value)>();
        Directory.CreateDirectory(options.OutputFolder);

        IReadOnlyList<LoaderPatch> epoch;
        double planSeconds;
        using (var planner = new SlideDataset(slides, loaderOptions))
        {
            var watch = Stopwatch.StartNew();
            epoch = planner.Epoch(0); // tissue masks computed here (cached for the dataset's life)
            planSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            _ = planner.Epoch(1);
            rows.Add(("slides (Aperio JPEG, Aperio JPEG 2000, TIFF JPEG 4:4:4, TIFF deflate, NDPI)", I(slides.Count)));
            rows.Add(("patches per epoch (random, tissue >= 0.5, at " + F(options.Mpp, 2) + " mpp, " + options.Patch + " px)", I(epoch.Count)));
            rows.Add(("first epoch planning, s (tissue masks of every slide included)", F(planSeconds, 2)));
            rows.Add(("later epoch planning, s (masks cached)", F(watch.Elapsed.TotalSeconds, 2)));
        }

        console.WriteLine($"{slides.Count} slides, {epoch.Count} patches per epoch");
        double Loader(int workers, IReadOnlyList<LoaderPatch>? order = null)
        {
            using var d = new SlideDataset(slides, loaderOptions with { Workers = workers });
            _ = d.Epoch(0); // masks and slide data out of the timing, as after the first epoch of a run
            var watch = Stopwatch.StartNew();
            int n = 0;
            foreach (LoaderBatch batch in d.Batches(order ?? epoch))
            {
                n += batch.Count;
                batch.Dispose();
            }

            return n / watch.Elapsed.TotalSeconds;
        }

        // Warm-up (JIT, native decoders) on a slice of the epoch, so neither side pays it in its timing.
        using (var warm = new SlideDataset(slides, loaderOptions))
        {
            _ = warm.Epoch(0);
            foreach (LoaderBatch batch in warm.Batches([.. epoch.Take(96)]))
            {
                batch.Dispose();
            }
        }

        double loader1 = Loader(1);
        double single = SingleSlideReads(slides, loaderOptions, epoch);
        double? openSlide = OpenSlideImage.IsAvailable ? NaiveOpenSlide(slides, loaderOptions, epoch) : null;
        rows.Add(("loader, 1 worker, patches/s", F(loader1, 0)));
        rows.Add(("(a) our ReadRegions per slide on the same patches + the same resize, 1 worker, patches/s", F(single, 0)));
        rows.Add(("loader / (a) (goal >= 0.9x)", F(loader1 / single, 2) + "x"));
        double grouped = Loader(1, [.. epoch.OrderBy(p => p.Slide)]);
        rows.Add(("loader, the same patches grouped by slide as (a) reads them, 1 worker, patches/s (/ (a): " + F(grouped / single, 2) + "x)", F(grouped, 0)));
        rows.Add(("(b) OpenSlide read_region per patch + the same resize, 1 thread, patches/s", openSlide is { } o ? F(o, 0) : "absent: " + OpenSlideImage.UnavailableReason));
        if (openSlide is { } os)
        {
            rows.Add(("loader / (b) (goal >= 5x)", F(loader1 / os, 2) + "x"));
        }

        bars.Add(("loader 1 worker", loader1));
        bars.Add(("(a) ReadRegions", single));
        if (openSlide is { } o2)
        {
            bars.Add(("(b) OpenSlide loop", o2));
        }

        // Per format: where the time goes (JPEG 2000 decoding costs the same in both readers: both use OpenJPEG).
        string[] kinds = ["Aperio JPEG 4:2:0", "Aperio JPEG 2000", "TIFF JPEG 4:4:4", "TIFF deflate", "NDPI JPEG"];
        for (int k = 0; k < kinds.Length; k++)
        {
            LoaderPatch[] subset = [.. epoch.Where(p => p.Slide % kinds.Length == k)];
            if (subset.Length == 0)
            {
                continue;
            }

            using var d = new SlideDataset(slides, loaderOptions);
            _ = d.Epoch(0);
            var watch = Stopwatch.StartNew();
            foreach (LoaderBatch batch in d.Batches(subset))
            {
                batch.Dispose();
            }

            double ours = subset.Length / watch.Elapsed.TotalSeconds;
            string versus = OpenSlideImage.IsAvailable ? $", OpenSlide loop {F(NaiveOpenSlide(slides, loaderOptions, subset), 0)}, ratio {F(ours / NaiveOpenSlide(slides, loaderOptions, subset), 2)}x" : string.Empty;
            rows.Add(($"{kinds[k]}: loader patches/s, 1 worker ({subset.Length} patches){versus}", F(ours, 0)));
        }

        foreach (int w in options.Workers.Where(w => w > 1))
        {
            double rate = Loader(w);
            rows.Add(($"loader, {w} workers, patches/s (x{F(rate / loader1, 2)} of 1 worker)", F(rate, 0)));
            bars.Add(($"loader {w} workers", rate));
        }

        // Memory over epochs: the dataset kept, a fresh epoch each time, all workers.
        using (var d = new SlideDataset(slides, loaderOptions with { Workers = options.Workers.Max() }))
        {
            using var self = Process.GetCurrentProcess();
            var peaks = new List<long>();
            for (int e = 0; e < options.Epochs; e++)
            {
                foreach (LoaderBatch batch in d.Batches(e))
                {
                    batch.Dispose();
                }

                self.Refresh();
                peaks.Add(self.PeakWorkingSet64);
            }

            rows.Add(($"peak RSS after epochs 1, 2, {options.Epochs / 2}, {options.Epochs}, MiB", string.Join(", ", new[] { 0, 1, (options.Epochs / 2) - 1, options.Epochs - 1 }.Select(i => F(peaks[Math.Clamp(i, 0, peaks.Count - 1)] / 1048576.0, 0)))));
            rows.Add(("peak RSS growth from epoch 2 to the last", F((peaks[^1] - peaks[Math.Min(1, peaks.Count - 1)]) / 1048576.0, 0) + " MiB"));
            rows.Add(("slides open at most (pool capacity " + d.Pool.Capacity + ")", I(d.Pool.PeakOpenCount)));
        }

        var report = new StringBuilder();
        report.AppendLine("# Loader bench").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores. One run; ratios are the figures to quote.").AppendLine();
        report.AppendLine("| measure | value |").AppendLine("|---|---|");
        foreach ((string what, string value) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value} |");
            console.WriteLine($"{what}: {value}");
        }

        File.WriteAllText(Path.Combine(options.OutputFolder, "loader.md"), report.ToString());
        Output.BarPlot.Write(Path.Combine(options.OutputFolder, "loader.png"), $"Loader: random tissue patches at {options.Mpp} mpp ({options.Patch} px)", "patches/s", bars);
        console.WriteLine($"report: {Path.Combine(options.OutputFolder, "loader.md")}");
        return 0;
    }

    // (a) The same patches through Slide.ReadRegions, one slide at a time (what a single-slide user has), same resize.
    private static double SingleSlideReads(List<SlideEntry> slides, LoaderOptions options, IReadOnlyList<LoaderPatch> epoch)
    {
        var watch = Stopwatch.StartNew();
        int n = 0;
        var output = new byte[options.Patch.Width * options.Patch.Height * 3];
        foreach (IGrouping<int, LoaderPatch> group in epoch.GroupBy(p => p.Slide))
        {
            using Slide slide = Slide.Open(slides[group.Key].Path);
            PatchGeometry g = options.Patch.Resolve(slide);
            PatchLocation[] locations = [.. group.Select(p => new PatchLocation(p.X, p.Y))];
            foreach (PatchBatch batch in slide.ReadRegions(locations, g.SourceWidth, g.SourceHeight, g.Level, new BatchOptions { Workers = 1, BatchSize = 32 }))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (g.Resized)
                    {
                        AreaResampler.Resample(batch.Patch(i), g.SourceWidth, g.SourceHeight, 3, output, g.Width, g.Height);
                    }

                    n++;
                }

                batch.Dispose();
            }
        }

        return n / watch.Elapsed.TotalSeconds;
    }

    // (b) The naive loop: the epoch's patches in order, OpenSlide read_region (handles kept open), ARGB to RGB, resize.
    private static double NaiveOpenSlide(List<SlideEntry> slides, LoaderOptions options, IReadOnlyList<LoaderPatch> epoch)
    {
        var handles = new Dictionary<int, (OpenSlideImage Image, PatchGeometry Geometry)>();
        try
        {
            foreach (int s in epoch.Select(p => p.Slide).Distinct())
            {
                using Slide ours = Slide.Open(slides[s].Path);
                handles[s] = (OpenSlideImage.Open(slides[s].Path), options.Patch.Resolve(ours)); // geometry planned by us, as the user's own code would
            }

            int largest = handles.Values.Max(h => h.Geometry.SourceWidth * h.Geometry.SourceHeight);
            var argb = new uint[largest];
            var rgb = new byte[largest * 3];
            var output = new byte[options.Patch.Width * options.Patch.Height * 3];
            var watch = Stopwatch.StartNew();
            foreach (LoaderPatch p in epoch)
            {
                (OpenSlideImage image, PatchGeometry g) = handles[p.Slide];
                int pixels = g.SourceWidth * g.SourceHeight;
                image.ReadRegion(p.X, p.Y, g.Level, g.SourceWidth, g.SourceHeight, argb.AsSpan(0, pixels));
                ArgbConversion.ToRgb(argb.AsSpan(0, pixels), rgb.AsSpan(0, pixels * 3));
                if (g.Resized)
                {
                    AreaResampler.Resample(rgb.AsSpan(0, pixels * 3), g.SourceWidth, g.SourceHeight, 3, output, g.Width, g.Height);
                }
            }

            return epoch.Count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach ((OpenSlideImage image, _) in handles.Values)
            {
                image.Dispose();
            }
        }
    }

    private static List<SlideEntry> EnsureSlides(LoaderBenchOptions options, TextWriter console)
    {
        string folder = Path.Combine(DefaultSlide.CacheFolder(null), "loader-v1");
        Directory.CreateDirectory(folder);
        var entries = new List<SlideEntry>();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < options.Slides; i++)
        {
            int kind = i % 5;
            string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"slide{i:D2}.{(kind == 4 ? "ndpi" : kind < 2 ? "svs" : "tif")}"));
            if (!File.Exists(path))
            {
                string temp = path + ".partial";
                if (kind == 4)
                {
                    NdpiSlideWriter.Write(temp, new NdpiSlideSpec { Width = 4096, Height = 3072, Levels = 3, Seed = 500 + i, Mpp = 0.4567, Macro = false });
                }
                else
                {
                    SyntheticSlideWriter.Write(temp, new SyntheticSlideSpec
                    {
                        Width = 4096,
                        Height = 3072,
                        Levels = 3,
                        Seed = 500 + i,
                        Quality = 90,
                        Vendor = kind < 2 ? SlideVendor.Aperio : SlideVendor.Generic,
                        Compression = kind switch { 1 => SlideCompression.Jpeg2000YCbCr, 3 => SlideCompression.Deflate, _ => SlideCompression.Jpeg },
                        Subsampling = kind == 2 ? ChromaSubsampling.S444 : ChromaSubsampling.S420,
                    });
                }

                File.Move(temp, path);
            }

            entries.Add(new SlideEntry(path, (i % 2).ToString(CultureInfo.InvariantCulture)));
        }

        console.WriteLine($"{options.Slides} bench slides ready in {folder} ({watch.Elapsed.TotalSeconds:F1} s)");
        return entries;
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
