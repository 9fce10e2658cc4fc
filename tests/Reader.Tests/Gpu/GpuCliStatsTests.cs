using System.Text.Json;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary><c>wsi region --backend gpu --stats</c> on ILGPU's CPU accelerator: one JSON object on standard error.</summary>
[Collection(GpuTestGroup.Name)]
public class GpuCliStatsTests
{
    [Fact]
    public void Region_with_stats_prints_tiles_by_codec_phases_and_kernel_shapes_as_one_JSON_object()
    {
        Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "native shim unavailable");
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 300, Height = 200, TileWidth = 128, TileHeight = 128, Levels = 1, Quality = 90 });
        string output = TestSlides.NewPath("stats.png");
        var env = new Dictionary<string, string> { ["WSI_GPU_ACCELERATOR"] = "cpu" };
        Programs.Result r = Programs.Run("wsi.dll", env, "region", slide, "--x", "100", "--y", "50", "--width", "100", "--height", "100", "--out", output, "--backend", "gpu", "--stats");
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        string line = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement root = json.RootElement;
        Assert.False(root.GetProperty("isGpu").GetBoolean());
        JsonElement jpeg = root.GetProperty("tiles").GetProperty("JPEG");
        Assert.Equal(4, jpeg.GetProperty("device").GetInt32()); // the region touches tiles (0..1, 0..1)
        Assert.Equal(0, jpeg.GetProperty("host").GetInt32());
        Assert.Equal(0, root.GetProperty("cacheHits").GetInt32());
        foreach (string phase in new[] { "fileRead", "pack", "upload", "huffman", "idct", "colour", "assembly" })
        {
            Assert.True(root.GetProperty("phasesMs").GetProperty(phase).GetDouble() >= 0, phase);
        }

        var kernels = root.GetProperty("kernels").EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!);
        Assert.True(kernels["huffman-write"].GetProperty("threads").GetInt64() >= 4);
        Assert.InRange(kernels["huffman-write"].GetProperty("maxSerialBytes").GetInt64(), 1, 4096);
        Assert.True(kernels["assembly"].GetProperty("threads").GetInt64() == 100 * 100);
        Assert.True(kernels["idct"].GetProperty("groupSize").GetInt32() > 0);
    }

    [Fact]
    public void Stats_without_the_gpu_backend_is_a_usage_error()
    {
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 100, Height = 100, TileWidth = 64, TileHeight = 64, Levels = 1 });
        Programs.Result r = Programs.Run("wsi.dll", "region", slide, "--x", "0", "--y", "0", "--width", "10", "--height", "10", "--out", TestSlides.NewPath("s.png"), "--stats");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--backend gpu", r.Error, StringComparison.Ordinal);
    }
}
