using Reader.Bench.Sweep;
using SkiaSharp;

namespace Reader.Bench.Output;

/// <summary>
/// The sweep as small multiples (ScottPlot panels composed on one Skia canvas): one panel per parallel mode and start
/// offset, patches/s against workers, each backend a line with its own colour and marker (the same in every panel),
/// y from zero, integer worker ticks, the legend outside the data; and a last panel of ours / OpenSlide ratios.
/// </summary>
internal static class PlotWriter
{
    private const int PanelWidth = 620;
    private const int PanelHeight = 420;
    private const int Columns = 3;

    private static readonly ScottPlot.MarkerShape[] Markers =
    [
        ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledSquare, ScottPlot.MarkerShape.FilledTriangleUp,
        ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.OpenCircle, ScottPlot.MarkerShape.OpenSquare, ScottPlot.MarkerShape.Cross,
    ];

    public static void Write(string path, IReadOnlyList<SweepResult> results)
    {
        SweepResult[] measured = [.. results.Where(r => r.Absent is null && r.PatchesPerSecond > 0)];
        string[] backends = [.. measured.Select(r => r.Config.Backend).Distinct().Order(StringComparer.Ordinal)];
        var panels = new List<ScottPlot.Plot>();
        foreach (IGrouping<(ParallelMode Mode, int Start), SweepResult> group in measured
            .GroupBy(r => (r.Config.Mode, r.Config.Start))
            .OrderBy(g => g.Key.Start).ThenBy(g => g.Key.Mode))
        {
            var plot = NewPanel($"{group.Key.Mode.Label()}, start {group.Key.Start}", "patches/s");
            foreach (IGrouping<string, SweepResult> line in group.GroupBy(r => r.Config.Backend).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                SweepResult[] points = [.. line.OrderBy(r => r.Config.Workers)];
                AddLine(plot, backends, line.Key, [.. points.Select(r => (double)r.Config.Workers)], [.. points.Select(r => r.PatchesPerSecond)]);
            }

            Finish(plot, group.Select(r => r.Config.Workers), group.Max(r => r.PatchesPerSecond));
            panels.Add(plot);
        }

        ScottPlot.Plot? ratios = RatioPanel(measured, backends);
        if (ratios is not null)
        {
            panels.Add(ratios);
        }

        Compose(path, panels);
    }

    /// <summary>Ours (every non-OpenSlide backend) divided by OpenSlide at the same mode, workers and start.</summary>
    private static ScottPlot.Plot? RatioPanel(SweepResult[] measured, string[] backends)
    {
        // Aligned starts, threads and method-3 processes (the study's headline modes): a legible number of lines.
        var plot = NewPanel("x OpenSlide, aligned", "x OpenSlide");
        double top = 0;
        var workers = new List<int>();
        foreach (IGrouping<(string Backend, ParallelMode Mode, int Start), SweepResult> line in measured
            .Where(r => !r.Config.Backend.StartsWith("openslide", StringComparison.Ordinal) && r.Config.Start == 0 && r.Config.Mode is ParallelMode.Threads or ParallelMode.ProcessChunked)
            .GroupBy(r => (r.Config.Backend, r.Config.Mode, r.Config.Start)))
        {
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (SweepResult r in line.OrderBy(r => r.Config.Workers))
            {
                SweepResult? theirs = measured.FirstOrDefault(o => o.Config.Backend == "openslide" && o.Config.Mode == r.Config.Mode && o.Config.Workers == r.Config.Workers && o.Config.Start == r.Config.Start);
                if (theirs is not null)
                {
                    xs.Add(r.Config.Workers);
                    ys.Add(r.PatchesPerSecond / theirs.PatchesPerSecond);
                    workers.Add(r.Config.Workers);
                }
            }

            if (xs.Count > 0)
            {
                AddLine(plot, backends, $"{line.Key.Backend} {line.Key.Mode.Label()}", [.. xs], [.. ys], colourOf: line.Key.Backend, dashed: line.Key.Mode != ParallelMode.Threads);
                top = Math.Max(top, ys.Max());
            }
        }

        if (workers.Count == 0)
        {
            return null;
        }

        var one = plot.Add.HorizontalLine(1);
        one.LinePattern = ScottPlot.LinePattern.Dotted;
        one.Color = ScottPlot.Colors.Gray;
        Finish(plot, workers, Math.Max(top, 1));
        return plot;
    }

    private static ScottPlot.Plot NewPanel(string title, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title, size: 14);
        plot.XLabel("workers (threads or processes)", size: 12);
        plot.YLabel(yLabel, size: 12);
        return plot;
    }

    private static void AddLine(ScottPlot.Plot plot, string[] backends, string label, double[] xs, double[] ys, string? colourOf = null, bool dashed = false)
    {
        int index = Math.Max(0, Array.IndexOf(backends, colourOf ?? label));
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = label;
        scatter.Color = ScottPlot.Palette.Default.GetColor(index);
        scatter.MarkerShape = Markers[index % Markers.Length];
        scatter.MarkerSize = 8;
        scatter.LineWidth = 2;
        scatter.LinePattern = dashed ? ScottPlot.LinePattern.Dashed : ScottPlot.LinePattern.Solid;
    }

    /// <summary>y from zero, integer worker ticks, the legend to the right of the data.</summary>
    private static void Finish(ScottPlot.Plot plot, IEnumerable<int> workers, double top)
    {
        int[] ticks = [.. workers.Distinct().Order()];
        var manual = new ScottPlot.TickGenerators.NumericManual();
        foreach (int w in ticks)
        {
            manual.AddMajor(w, w.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        plot.Axes.Bottom.TickGenerator = manual;
        plot.Axes.SetLimitsX(ticks[0] - 0.5, ticks[^1] + 0.5);
        plot.Axes.SetLimitsY(0, top * 1.12);
        plot.ShowLegend(ScottPlot.Edge.Right);
    }

    private static void Compose(string path, List<ScottPlot.Plot> panels)
    {
        int count = Math.Max(1, panels.Count);
        int columns = Math.Min(Columns, count);
        int rows = (count + columns - 1) / columns;
        var info = new SKImageInfo(columns * PanelWidth, rows * PanelHeight);
        using var surface = SKSurface.Create(info);
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            // Each panel on a surface of its own (a plot clears the canvas it renders on), then placed in the grid.
            using var panel = SKSurface.Create(new SKImageInfo(PanelWidth, PanelHeight));
            panels[i].Render(panel.Canvas, PanelWidth, PanelHeight);
            using SKImage rendered = panel.Snapshot();
            canvas.DrawImage(rendered, i % columns * PanelWidth, i / columns * PanelHeight);
        }

        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }
}
