using System.Text.Json;
using Reader.Native;
using Reader.Tests.Infrastructure;
using Reader.Tiling;

namespace Reader.Tests.Tiling;

/// <summary>
/// wsi tile --check against hand-damaged outputs (a deleted DeepZoom tile, a truncated tar, a stale marker, a killed
/// task's temporary folder, a deleted slide folder), and the rerun that repairs exactly those; the CLI's exit codes.
/// </summary>
public sealed class TileCheckTests
{
    private static readonly TileOptions Small = new() { Size = 256, PatchesPerShard = 3, Quality = 85, Threads = 2 };

    private static Programs.Result Wsi(params string[] args) => Programs.Run("wsi.dll", args);

    [Fact]
    public void Check_finds_a_truncated_tar_a_stale_marker_a_partial_and_a_missing_slide_and_a_rerun_repairs_them()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (string manifest, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(5);
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string output = TilingFixture.NewFolder("out");
        TileRun.Run(inputs, output, Small, ShardSpec.All, cancellationToken: cancel);
        Assert.All(TileCheck.Run(output), s => Assert.Equal(SlideOutputState.Done, s.State));
        string reference = TilingFixture.NewFolder("reference");
        TileRun.Run(inputs, reference, Small, ShardSpec.All, cancellationToken: cancel);

        // case-00: a tar cut short. case-01: its input touched. case-02: killed mid-write (only a temporary folder).
        // case-03: its folder deleted. case-04: untouched.
        string tar = Directory.GetFiles(Path.Combine(output, "case-00"), "*.tar").Order(StringComparer.Ordinal).First();
        using (FileStream f = File.OpenWrite(tar))
        {
            f.SetLength(f.Length - 1024);
        }

        File.SetLastWriteTimeUtc(inputs[1].FullPath, DateTime.UtcNow.AddMinutes(5));
        Directory.Move(Path.Combine(output, "case-02"), Path.Combine(output, ".case-02.partial-999999-0123456789abcdef"));
        File.Delete(Path.Combine(output, ".case-02.partial-999999-0123456789abcdef", "done.json")); // the marker comes last
        Directory.Delete(Path.Combine(output, "case-03"), recursive: true);

        var states = TileCheck.Run(output).ToDictionary(s => s.Key, s => s.State);
        Assert.Equal(SlideOutputState.Damaged, states["case-00"]);
        Assert.Equal(SlideOutputState.Stale, states["case-01"]);
        Assert.Equal(SlideOutputState.Partial, states["case-02"]);
        Assert.Equal(SlideOutputState.Missing, states["case-03"]);
        Assert.Equal(SlideOutputState.Done, states["case-04"]);

        Programs.Result check = Wsi("tile", "--check", output);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("damaged: case-00", check.Output, StringComparison.Ordinal);
        Assert.Contains("stale: case-01", check.Output, StringComparison.Ordinal);
        Assert.Contains("partial: case-02", check.Output, StringComparison.Ordinal);
        Assert.Contains("missing: case-03", check.Output, StringComparison.Ordinal);
        Assert.Contains("5 slides: 1 done, 1 missing, 1 partial, 1 stale, 1 damaged", check.Output, StringComparison.Ordinal);

        // A rerun through the CLI redoes exactly those four; the result is the uninterrupted run's bytes
        // (case-01's marker records the new mtime, so compare it apart).
        Programs.Result rerun = Wsi("tile", manifest, "--out", output, "--size", "256", "--shard-patches", "3", "--quality", "85");
        Assert.Equal(0, rerun.ExitCode);
        using (JsonDocument summary = JsonDocument.Parse(rerun.Output))
        {
            Assert.Equal(4, summary.RootElement.GetProperty("written").GetInt32());
            Assert.Equal(1, summary.RootElement.GetProperty("skipped").GetInt32());
        }

        Assert.Equal(0, Wsi("tile", "--check", output).ExitCode);
        Assert.Empty(Directory.GetDirectories(output, ".*"));
        File.Delete(Path.Combine(output, "case-01", "done.json"));
        File.Delete(Path.Combine(reference, "case-01", "done.json"));
        TilingFixture.AssertSameBytes(reference, output);
    }

    [Fact]
    public void Check_finds_a_deleted_deepzoom_tile_and_other_options()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG tiles need the native shim: " + NativeShim.UnavailableReason);
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(2);
        string output = TilingFixture.NewFolder("out");
        var dzi = new TileOptions { Format = TileFormat.Dzi, Quality = 80, Threads = 2 };
        TileRun.Run(inputs, output, dzi, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(TileCheck.Run(output), s => Assert.Equal(SlideOutputState.Done, s.State));
        File.Delete(Path.Combine(output, "case-01", "case-01_files", "9", "1_0.jpeg"));
        SlideOutputStatus damaged = TileCheck.Run(output).Single(s => s.Key == "case-01");
        Assert.Equal(SlideOutputState.Damaged, damaged.State);
        Assert.Contains("case-01_files/9/1_0.jpeg is missing", damaged.Detail, StringComparison.Ordinal);

        // A run with other options rewrites the run file: every slide done with the old options is now stale.
        string runFile = Path.Combine(output, TileRun.RunFile);
        File.WriteAllText(runFile, File.ReadAllText(runFile).Replace("quality=80", "quality=81", StringComparison.Ordinal));
        Assert.All(TileCheck.Run(output), s => Assert.Equal(SlideOutputState.Stale, s.State));
    }

    [Fact]
    public void The_cli_tiles_a_manifest_prints_a_json_summary_and_exits_5_when_a_slide_failed()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (string manifest, _) = TilingFixture.Cohort(2);
        File.AppendAllLines(manifest, ["missing.svs,x"]);
        string output = TilingFixture.NewFolder("out");
        Programs.Result r = Programs.Run("wsi.dll", new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "0" }, "tile", manifest, "--out", output, "--shards", "1");
        Assert.Equal(5, r.ExitCode);
        using JsonDocument summary = JsonDocument.Parse(r.Output);
        Assert.Equal("0/1", summary.RootElement.GetProperty("shard").GetString());
        Assert.Equal(2, summary.RootElement.GetProperty("written").GetInt32());
        Assert.EndsWith("missing.svs", summary.RootElement.GetProperty("failures")[0].GetProperty("slide").GetString(), StringComparison.Ordinal);
        Assert.Contains("FAILED", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);

        Programs.Result usage = Programs.Run("wsi.dll", "tile", manifest, "--out", output, "--shard", "3/2");
        Assert.Equal(2, usage.ExitCode);
        Assert.StartsWith("wsi: --shard: shard 3 of 2 is out of range", usage.Error, StringComparison.Ordinal);
        Programs.Result twice = Programs.Run("wsi.dll", "tile", manifest, manifest, "--out", output);
        Assert.Equal(2, twice.ExitCode);
        Assert.StartsWith("wsi: the same slide is listed more than once: case-00", twice.Error, StringComparison.Ordinal);
        Programs.Result notOutput = Programs.Run("wsi.dll", "tile", "--check", Path.GetDirectoryName(manifest)!);
        Assert.Equal(3, notOutput.ExitCode);
        Assert.Contains("not a wsi tile output folder", notOutput.Error, StringComparison.Ordinal);
    }
}
