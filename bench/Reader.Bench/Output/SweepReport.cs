using System.Globalization;
using System.Text;
using Reader.Bench.Backends;
using Reader.Bench.Sweep;

namespace Reader.Bench.Output;

/// <summary>The sweep's results as a console table, CSV, a markdown report and the goal checks.</summary>
internal sealed class SweepReport(SweepHeader header, IReadOnlyList<SweepResult> results)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public string ConsoleTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"{"backend",-18} {"mode",-13} {"w",3} {"start",5} {"timed/total",15} {"elapsed s",10} {"patches/s",10} {"x OpenSlide",11} {"ours/raw",9}");
        foreach (SweepResult r in Ordered())
        {
            string timed = r.Absent is null ? $"{r.PatchesTimed}/{r.PatchesTotal}" : "-";
            if (r.Absent is not null)
            {
                sb.AppendLine(Inv, $"{r.Config.Backend,-18} {r.Config.Mode.Label(),-13} {r.Config.Workers,3} {r.Config.Start,5} {timed,15}  absent: {r.Absent}");
                continue;
            }

            sb.AppendLine(Inv, $"{r.Config.Backend,-18} {r.Config.Mode.Label(),-13} {r.Config.Workers,3} {r.Config.Start,5} {timed,15} {r.ProjectedSeconds,10:F2} {r.PatchesPerSecond,10:F0} {Format(VsOpenSlide(r)),11} {Format(VsRaw(r)),9}");
        }

        return sb.ToString();
    }

    public string Csv()
    {
        var sb = new StringBuilder("backend,mode,workers,start,patches_timed,patches_total,seconds_timed,patches_per_second,projected_elapsed_seconds,speedup_vs_openslide,ratio_vs_raw_libjpeg_turbo,absent\n");
        foreach (SweepResult r in Ordered())
        {
            sb.AppendLine(Inv, $"{r.Config.Backend},{r.Config.Mode.Label()},{r.Config.Workers},{r.Config.Start},{r.PatchesTimed},{r.PatchesTotal},{r.Seconds:F4},{r.PatchesPerSecond:F1},{r.ProjectedSeconds:F3},{Csv(VsOpenSlide(r))},{Csv(VsRaw(r))},\"{r.Absent?.Replace("\"", "'", StringComparison.Ordinal)}\"");
        }

        return sb.ToString();
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# WSI reader sweep: our reader vs OpenSlide (and libvips), threads and processes");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- Slide: `{Path.GetFileName(header.SlidePath)}`, {header.Width} x {header.Height}, tile {header.TileWidth}, level {header.Options.Level}, patches {header.Options.Patch} x {header.Options.Patch} from (start, start) in steps of {header.Options.Patch}, edge patches included (the cuCIM study's list; its method-1 x/y swap is not copied).");
        sb.AppendLine(Inv, $"- Machine: {header.Cpu}, {Environment.ProcessorCount} cores, {header.Memory}.");
        sb.AppendLine(Inv, $"- Software: {header.Versions}.");
        sb.AppendLine(Inv, $"- Page cache: {header.PageCache}.");
        sb.AppendLine("- Output formats: ours RGB24 (no premultiplication); OpenSlide premultiplied ARGB as it returns it (`openslide`), and the same plus conversion to RGB (`openslide-rgb`); libvips RGB.");
        sb.AppendLine("- Warm-up: before the first configuration of each start location, one untimed pass of our reader over the list (compiled code, a warm tile-buffer pool); each configuration also reads 16 untimed patches first. Workers of the process modes warm up with 200 reads before the clock starts.");
        sb.AppendLine("- Caches: each configuration opens the slide afresh. Ours: 256 MiB decoded-tile cache per slide (aligned whole-tile reads bypass it); OpenSlide: its default cache; libvips: its default tile cache.");
        sb.AppendLine("- Processes: this program re-invoked as workers; the clock starts once every worker is up (process start-up excluded). Method 1 opens the slide for every patch; method 2 holds one handle per process and makes one request per patch; method 3 gives each process a contiguous chunk.");
        sb.AppendLine("- Samples: where \"timed\" is below \"total\" an evenly spread sample was timed (--limit, --fraction, or method 1's default cap); \"elapsed\" is the whole list at the measured rate.");
        sb.AppendLine("- Numbers are from one run on one machine; compare ratios within the run.");
        foreach (string name in results.Select(r => r.Config.Backend).Distinct())
        {
            BenchBackend? backend = BackendRegistry.All.FirstOrDefault(b => b.Name == name);
            if (backend is not null)
            {
                sb.AppendLine(Inv, $"- `{name}`: {(backend.UnavailableReason is null ? backend.Describe : "absent: " + backend.UnavailableReason)}");
            }
        }

        sb.AppendLine();
        sb.AppendLine("| backend | mode | workers | start | timed / total | elapsed (s) | patches/s | x OpenSlide | ours / raw libjpeg-turbo |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SweepResult r in Ordered())
        {
            if (r.Absent is not null)
            {
                sb.AppendLine(Inv, $"| {r.Config.Backend} | {r.Config.Mode.Label()} | {r.Config.Workers} | {r.Config.Start} | - | - | - | - | absent: {r.Absent} |");
                continue;
            }

            sb.AppendLine(Inv, $"| {r.Config.Backend} | {r.Config.Mode.Label()} | {r.Config.Workers} | {r.Config.Start} | {r.PatchesTimed} / {r.PatchesTotal} | {r.ProjectedSeconds:F2} | {r.PatchesPerSecond:F0} | {Format(VsOpenSlide(r))} | {Format(VsRaw(r))} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Goals");
        sb.AppendLine();
        sb.Append(Goals());
        sb.AppendLine();
        sb.AppendLine("![patches/s against workers](plot.png)");
        return sb.ToString();
    }

    /// <summary>The goals of the issues, checked against this run.</summary>
    public string Goals()
    {
        var sb = new StringBuilder();
        int n = header.Options.Workers.Max();
        Check(sb, "cpu vs openslide, 1 thread, aligned", Ratio(Rate("cpu", ParallelMode.Threads, 1, 0), Rate("openslide", ParallelMode.Threads, 1, 0)), 5.0);
        Check(sb, "cpu vs raw libjpeg-turbo, 1 thread, aligned", Ratio(Rate("cpu", ParallelMode.Threads, 1, 0), Rate("raw-libjpeg-turbo", ParallelMode.RawDecode, 1, 0)), 0.95);
        Check(sb, "cpu vs raw libjpeg-turbo, 1 thread, unaligned", Ratio(Rate("cpu", ParallelMode.Threads, 1, 1), Rate("raw-libjpeg-turbo", ParallelMode.RawDecode, 1, 1)), 0.9);
        Check(sb, "cpu unaligned vs aligned, 1 thread (default cache)", Ratio(Rate("cpu", ParallelMode.Threads, 1, 1), Rate("cpu", ParallelMode.Threads, 1, 0)), 0.9);
        Check(sb, "cpu method 1 (open per patch) vs method 3, 1 process", Ratio(Rate("cpu", ParallelMode.ProcessOpenPerPatch, 1, 0), Rate("cpu", ParallelMode.ProcessChunked, 1, 0)), 0.5);
        if (n > 1)
        {
            Check(sb, $"cpu {n} threads vs 1 thread (goal {0.9 * n:F1}x)", Ratio(Rate("cpu", ParallelMode.Threads, n, 0), Rate("cpu", ParallelMode.Threads, 1, 0)), 0.9 * n);
            Check(sb, $"cpu {n} processes (method 3) vs 1 (goal {0.9 * n:F1}x)", Ratio(Rate("cpu", ParallelMode.ProcessChunked, n, 0), Rate("cpu", ParallelMode.ProcessChunked, 1, 0)), 0.9 * n);
            Check(sb, $"cpu batch API vs hand-rolled threads, {n} workers (within 10%)", Ratio(Rate("cpu", ParallelMode.Batch, n, 0), Rate("cpu", ParallelMode.Threads, n, 0)), 0.9);
        }

        return sb.ToString();
    }

    private static void Check(StringBuilder sb, string what, double? ratio, double goal)
    {
        string verdict = ratio is null ? "not measured" : ratio >= goal ? "met" : "MISSED";
        sb.AppendLine(Inv, $"- {what}: {Format(ratio)} (goal >= {goal:F2}x): {verdict}");
    }

    private IEnumerable<SweepResult> Ordered() => results
        .OrderBy(r => r.Config.Start)
        .ThenBy(r => r.Config.Mode)
        .ThenBy(r => r.Config.Backend, StringComparer.Ordinal)
        .ThenBy(r => r.Config.Workers);

    private double? Rate(string backend, ParallelMode mode, int workers, int start) =>
        results.FirstOrDefault(r => r.Config.Backend == backend && r.Config.Mode == mode && r.Config.Workers == workers && r.Config.Start == start && r.Absent is null)?.PatchesPerSecond;

    private double? VsOpenSlide(SweepResult r) =>
        r.Config.Backend.StartsWith("openslide", StringComparison.Ordinal) || r.Config.Mode is ParallelMode.RawDecode or ParallelMode.Batch
            ? null
            : Ratio(r.PatchesPerSecond, Rate("openslide", r.Config.Mode, r.Config.Workers, r.Config.Start));

    private double? VsRaw(SweepResult r) =>
        r.Config.Mode == ParallelMode.RawDecode ? null : Ratio(r.PatchesPerSecond, Rate("raw-libjpeg-turbo", ParallelMode.RawDecode, r.Config.Workers, r.Config.Start));

    private static double? Ratio(double? a, double? b) => a is > 0 && b is > 0 ? a / b : null;

    private static string Format(double? ratio) => ratio is null ? "-" : ratio.Value.ToString("F2", Inv) + "x";

    private static string Csv(double? ratio) => ratio is null ? string.Empty : ratio.Value.ToString("F4", Inv);
}
