using System.Globalization;
using System.Text;
using Reader.Bench.Backends;
using Reader.Bench.Output;
using Reader.SlideWriter;

namespace Reader.Bench.Sweep;

/// <summary>
/// The sweep's rows for formats other than the study's JPEG TIFF, against OpenSlide: a Hamamatsu NDPI (one JPEG per
/// level, restart intervals one MCU row high as the scanners write them) and an Aperio JPEG 2000 slide (33003, 4:2:2
/// as Aperio writes it), both generated at a size that follows --scale, read aligned at level 0 by N threads.
/// </summary>
internal static class FormatRows
{
    public static readonly string[] Known = ["ndpi", "jp2k"];

    /// <summary>The generated slide for <paramref name="format"/> at <paramref name="scale"/>, written once and cached beside the default slide.</summary>
    public static string Ensure(string format, double scale, TextWriter log)
    {
        string folder = DefaultSlide.CacheFolder(null);
        Directory.CreateDirectory(folder);
        if (format == "ndpi")
        {
            // Half the study's size (one JPEG per level must stay within libjpeg's 65500 limit at scale 1 too).
            int width = Math.Clamp((int)Math.Round(DefaultSlide.StudyWidth * scale / 2 / 32) * 32, 256, 32768);
            int height = Math.Clamp((int)Math.Round(DefaultSlide.StudyHeight * scale / 2 / 32) * 32, 256, 32768);
            var spec = new NdpiSlideSpec { Width = width, Height = height, Levels = 3, Quality = 90, Seed = 2021 };
            return Generate(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"bench-{width}x{height}-v1.ndpi")), log, p => NdpiSlideWriter.Write(p, spec));
        }

        // JPEG 2000 decodes ~10x slower than JPEG: a quarter of the study's size.
        var j2k = new SyntheticSlideSpec
        {
            Width = Math.Max(512, (long)Math.Round(DefaultSlide.StudyWidth * scale / 4)),
            Height = Math.Max(512, (long)Math.Round(DefaultSlide.StudyHeight * scale / 4)),
            TileWidth = 240,
            TileHeight = 240,
            Levels = 3,
            Vendor = SlideVendor.Aperio,
            Compression = SlideCompression.Jpeg2000YCbCr,
            Subsampling = ChromaSubsampling.S422,
            Seed = 2021,
        };
        return Generate(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"bench-{j2k.Width}x{j2k.Height}-33003-v1.svs")), log, p => SyntheticSlideWriter.Write(p, j2k));
    }

    /// <summary>Times our reader and OpenSlide on each format, 1 and N threads, aligned patches at level 0.</summary>
    public static List<(string Format, SweepResult Result)> Run(SweepOptions options, TextWriter console, ProgressLine progress)
    {
        var rows = new List<(string, SweepResult)>();
        int most = options.Workers.Max();
        int[] workers = most > 1 ? [1, most] : [1];
        foreach (string format in options.Formats)
        {
            string path;
            try
            {
                path = Ensure(format, options.Scale, console);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                rows.Add((format, new SweepResult(new SweepConfig("cpu", ParallelMode.Threads, 1, 0), 0, 0, 0, $"failed: cannot generate the {format} slide: {e.Message}")));
                continue;
            }

            (long width, long height) = Size(path);
            List<(long X, long Y)> all = PatchList.Grid(width, height, options.Patch, 0);
            List<(long X, long Y)> patches = PatchList.Sample(all, options.Limit > 0 ? options.Limit : 2000);
            foreach (string backendName in new[] { "cpu", "openslide" })
            {
                BenchBackend backend = BackendRegistry.Get(backendName);
                foreach (int w in workers)
                {
                    var config = new SweepConfig(backendName, ParallelMode.Threads, w, 0);
                    if (backend.UnavailableReason is { } absent)
                    {
                        rows.Add((format, new SweepResult(config, 0, all.Count, 0, absent)));
                        continue;
                    }

                    progress.Begin($"{format}: {config.Key}", patches.Count);
                    try
                    {
                        double seconds = ThreadRunner.Threads(backend, path, patches, 0, options.Patch, w, progress.Report);
                        var result = new SweepResult(config, patches.Count, all.Count, seconds);
                        rows.Add((format, result));
                        progress.Finish(string.Create(CultureInfo.InvariantCulture, $"{format}: {config.Key}: {result.PatchesPerSecond:F0} patches/s"));
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        rows.Add((format, new SweepResult(config, 0, all.Count, 0, $"failed: {e.GetType().Name}: {e.Message}")));
                        progress.Finish($"{format}: {config.Key}: FAILED {e.Message}");
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>The rows as a markdown section (also printed to the console).</summary>
    public static string Markdown(IReadOnlyList<(string Format, SweepResult Result)> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Other formats against OpenSlide");
        sb.AppendLine();
        sb.AppendLine("Generated slides read aligned at level 0 by N threads sharing one handle: `ndpi` (Hamamatsu NDPI: each level one JPEG with restart markers, intervals one MCU row high, so a 256-pixel patch decodes 32 whole-width intervals; ours and OpenSlide's caches serve the patches after the first of a row) and `jp2k` (Aperio 33003 JPEG 2000, 4:2:2, 240-pixel tiles, OpenJPEG in both readers).");
        sb.AppendLine();
        sb.AppendLine("| format | backend | workers | timed / total | patches/s | x OpenSlide |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach ((string format, SweepResult r) in rows)
        {
            if (r.Absent is not null)
            {
                sb.AppendLine(inv, $"| {format} | {r.Config.Backend} | {r.Config.Workers} | - | - | absent: {r.Absent} |");
                continue;
            }

            double? theirs = rows.FirstOrDefault(o => o.Format == format && o.Result.Config.Backend == "openslide" && o.Result.Config.Workers == r.Config.Workers && o.Result.Absent is null).Result?.PatchesPerSecond;
            string ratio = r.Config.Backend == "cpu" && theirs is > 0 ? (r.PatchesPerSecond / theirs.Value).ToString("F2", inv) + "x" : "-";
            sb.AppendLine(inv, $"| {format} | {r.Config.Backend} | {r.Config.Workers} | {r.PatchesTimed} / {r.PatchesTotal} | {r.PatchesPerSecond:F0} | {ratio} |");
        }

        return sb.ToString();
    }

    private static string Generate(string path, TextWriter log, Action<string> write)
    {
        if (!File.Exists(path))
        {
            log.WriteLine($"generating {Path.GetFileName(path)} ...");
            string partial = path + ".partial";
            write(partial);
            File.Move(partial, path, overwrite: true);
        }

        return path;
    }

    private static (long Width, long Height) Size(string path)
    {
        using var slide = Reader.Core.Slide.Open(path, new Reader.Core.SlideOptions { CacheCapacity = 0 });
        return (slide.Levels[0].Width, slide.Levels[0].Height);
    }
}
