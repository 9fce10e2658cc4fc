using Reader.Bench.Sweep;

namespace Reader.Bench.Output;

/// <summary>patches/s against workers, one line per backend, mode and start (ScottPlot).</summary>
internal static class PlotWriter
{
    public static void Write(string path, IReadOnlyList<SweepResult> results)
    {
        var plot = new ScottPlot.Plot();
        foreach (IGrouping<(string Backend, ParallelMode Mode, int Start), SweepResult> line in results
            .Where(r => r.Absent is null)
            .GroupBy(r => (r.Config.Backend, r.Config.Mode, r.Config.Start)))
        {
            SweepResult[] points = [.. line.OrderBy(r => r.Config.Workers)];
            double[] xs = [.. points.Select(r => (double)r.Config.Workers)];
            double[] ys = [.. points.Select(r => r.PatchesPerSecond)];
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = $"{line.Key.Backend} {line.Key.Mode.Label()} start {line.Key.Start}";
            scatter.LinePattern = line.Key.Start == 0 ? ScottPlot.LinePattern.Solid : ScottPlot.LinePattern.Dashed;
        }

        plot.Title("Patches per second against workers");
        plot.XLabel("workers (threads or processes)");
        plot.YLabel("patches/s");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1200, 800);
    }
}
