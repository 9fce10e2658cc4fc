namespace Reader.Bench.Output;

/// <summary>A horizontal bar chart of named values (the GPU study's phase times, the remote bench's rates), y from zero.</summary>
internal static class BarPlot
{
    public static void Write(string path, string title, string unit, IReadOnlyList<(string Name, double Value)> bars)
    {
        var plot = new ScottPlot.Plot();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < bars.Count; i++)
        {
            var bar = plot.Add.Bar(new ScottPlot.Bar
            {
                Position = bars.Count - 1 - i,
                Value = bars[i].Value,
                FillColor = ScottPlot.Palette.Default.GetColor(i),
                Orientation = ScottPlot.Orientation.Horizontal,
                Label = bars[i].Value.ToString(bars[i].Value >= 100 ? "F0" : "F3", System.Globalization.CultureInfo.InvariantCulture),
            });
            bar.ValueLabelStyle.FontSize = 12;
            ticks.AddMajor(bars.Count - 1 - i, bars[i].Name);
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsX(0, Math.Max(1e-9, bars.Max(b => b.Value)) * 1.25);
        plot.Title(title, size: 14);
        plot.XLabel(unit, size: 12);
        plot.SavePng(path, 1000, 120 + (bars.Count * 45));
    }
}
