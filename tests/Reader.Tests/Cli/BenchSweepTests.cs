using System.Globalization;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Cli;

/// <summary>The benchmark sweep end to end on a tiny slide, one of each mode (no timing assertions).</summary>
public class BenchSweepTests
{
    [Fact]
    public void The_sweep_writes_a_csv_row_per_configuration_a_report_and_a_plot()
    {
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 1024, Height = 768, Levels = 2, Quality = 80 });
        string output = TestSlides.NewPath("sweep");
        Programs.Result r = Programs.Run(
            "Reader.Bench.dll", "sweep", "--slide", slide, "--backends", "cpu,cpu-managed,openslide,libvips,gpu", "--workers", "1,2",
            "--modes", "threads,m1,m2,m3,batch", "--starts", "0,1", "--limit", "8", "--out", output);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.False(r.Output.Contains('\r', StringComparison.Ordinal) || r.Error.Contains('\r', StringComparison.Ordinal), "output to a pipe must hold no carriage returns (progress is plain lines there)");
        Assert.Contains("patches/s", r.Output, StringComparison.Ordinal);

        string[] rows = File.ReadAllLines(Path.Combine(output, "results.csv"));
        bool hasGpu = Reader.Gpu.GpuDecoder.FindGpu() is null;

        // Per start: raw decode x 2 workers; cpu and cpu-managed 5 modes x 2; openslide and libvips 4 modes x 2;
        // gpu: batch x 2 workers on a GPU machine, else one absent row.
        int expected = 2 * ((1 * 2) + (2 * 5 * 2) + (2 * 4 * 2) + (hasGpu ? 2 : 1));
        Assert.Equal(expected, rows.Length - 1);
        foreach (string mode in new[] { "threads", "processes-m1", "processes-m2", "processes-m3", "batch", "raw-decode" })
        {
            Assert.Contains(rows, row => row.Split(',')[1] == mode);
        }

        // Every available configuration measured something; the gpu row says why it is absent.
        foreach (string row in rows.Skip(1))
        {
            string[] cells = row.Split(',');
            string why = cells[^1].Trim('"');
            bool absent = why.Length > 0;
            Assert.False(why.StartsWith("failed", StringComparison.Ordinal), "a configuration failed: " + row);
            Assert.True(absent || double.Parse(cells[7], CultureInfo.InvariantCulture) > 0, row);
            Assert.True(cells[0] != "cpu" || !absent, "our reader must run: " + row);
        }

        string[] gpu = [.. rows.Where(row => row.StartsWith("gpu,", StringComparison.Ordinal))];
        if (!hasGpu)
        {
            Assert.Equal(2, gpu.Length); // one per start location
            Assert.All(gpu, row => Assert.True(row.Split(',')[^1].Trim('"').Length > 0, "the absent gpu row must say why: " + row));
        }
        Assert.Contains("## Goals", File.ReadAllText(Path.Combine(output, "report.md")), StringComparison.Ordinal);
        byte[] plot = File.ReadAllBytes(Path.Combine(output, "plot.png"));
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(plot, 1, 3));
    }

    [Fact]
    public void The_sweep_times_ndpi_and_jpeg_2000_against_openslide()
    {
        Assert.SkipUnless(Reader.Native.Jpeg2000.NativeJpeg2000.IsSupported, "the JPEG 2000 row needs OpenJPEG in the shim: " + Reader.Native.Jpeg2000.NativeJpeg2000.UnsupportedReason);
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 512, Height = 512, Levels = 1, Quality = 80 });
        string output = TestSlides.NewPath("sweep-formats");
        Programs.Result r = Programs.Run(
            "Reader.Bench.dll", "sweep", "--slide", slide, "--backends", "cpu,openslide", "--workers", "1,2", "--modes", "threads",
            "--starts", "0", "--limit", "8", "--formats", "ndpi,jp2k", "--scale", "0.012", "--out", output);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("## Other formats against OpenSlide", report, StringComparison.Ordinal);
        foreach (string format in new[] { "ndpi", "jp2k" })
        {
            string[] rows = [.. report.Split('\n').Where(l => l.StartsWith($"| {format} |", StringComparison.Ordinal))];
            Assert.Equal(4, rows.Length); // cpu and openslide, 1 and 2 threads
            Assert.All(rows, row => Assert.DoesNotContain("failed", row, StringComparison.Ordinal));
            Assert.Contains(rows, row => row.StartsWith($"| {format} | cpu | 1 |", StringComparison.Ordinal) && !row.Contains("absent", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_remote_bench_reports_requests_and_rates_over_http()
    {
        string output = TestSlides.NewPath("remote-bench");
        Programs.Result r = Programs.Run("Reader.Bench.dll", "remote", "--scale", "0.012", "--latency", "2", "--patches", "12", "--in-flight", "4", "--gdal-patches", "2", "--out", output);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        foreach (string row in new[] { "ours: requests to open", "ours: requests per aligned 256 patch, 1 in flight", "ours: patches/s remote, 4 in flight", "ours: requests per patch, batch API", "GDAL" })
        {
            Assert.Contains(row, report, StringComparison.Ordinal);
        }

        string open = report.Split('\n').Single(l => l.StartsWith("| ours: requests to open", StringComparison.Ordinal));
        Assert.True(int.Parse(open.Split('|')[2].Trim(), CultureInfo.InvariantCulture) <= 3, open);
    }
}
