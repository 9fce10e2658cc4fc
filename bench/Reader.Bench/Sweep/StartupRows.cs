using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Reader.Bench.Sweep;

/// <summary>
/// Start-up of the command-line tool: wall time of `wsi info SLIDE` over 10 runs (the installed launcher from
/// `./build.sh install` when it is on PATH, and the repository build's apphost), beside OpenSlide's
/// `openslide-show-properties` on the same slide. Goal: 0.3 s.
/// </summary>
internal static class StartupRows
{
    private const int Runs = 10;

    public static string Markdown(string slide)
    {
        var rows = new List<(string What, string Value)>();
        string? installed = ExternalTools.Which("wsi");
        string repository = Path.Combine(Directory.GetCurrentDirectory(), "src", "Reader.Cli", "bin", "Release", "net10.0", "wsi");
        string? openslide = ExternalTools.Which("openslide-show-properties");
        double? ours = null;
        if (installed is not null)
        {
            ours = Time(installed, "info", slide);
            rows.Add(($"`wsi info` (installed: {installed})", Seconds(ours)));
        }

        if (File.Exists(repository))
        {
            double? repo = Time(repository, "info", slide);
            ours ??= repo;
            rows.Add(("`wsi info` (repository build, not ReadyToRun)", Seconds(repo)));
        }

        double? theirs = openslide is null ? null : Time(openslide, slide);
        rows.Add(("`openslide-show-properties`", openslide is null ? "absent (apt-get install openslide-tools)" : Seconds(theirs)));
        if (ours is { } o && theirs is { } t)
        {
            rows.Add(("ours / OpenSlide (time)", (o / t).ToString("F2", CultureInfo.InvariantCulture) + "x"));
        }

        var sb = new StringBuilder();
        sb.AppendLine("## Start-up of the tool");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Median wall time of {Runs} runs on `{Path.GetFileName(slide)}` (goal for `wsi info`: 0.3 s).");
        sb.AppendLine();
        sb.AppendLine("| command | median |");
        sb.AppendLine("|---|---:|");
        foreach ((string what, string value) in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value} |");
        }

        return sb.ToString();
    }

    private static double? Time(string program, params string[] args)
    {
        var times = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            var watch = Stopwatch.StartNew();
            using Process p = Process.Start(start)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                return null;
            }

            times.Add(watch.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static string Seconds(double? s) => s is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) + " s" : "failed";

}
