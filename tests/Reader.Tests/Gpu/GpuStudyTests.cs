using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>The prepared device check runs end to end here, on ILGPU's CPU accelerator, and says so.</summary>
[Collection(GpuTestGroup.Name)]
public class GpuStudyTests
{
    [Fact]
    public void Gpu_study_runs_end_to_end_on_the_CPU_accelerator_labelled_as_not_a_GPU()
    {
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 600, Height = 400, Levels = 2, Quality = 95 });
        string output = TestSlides.NewPath("gpu-study");
        var env = new Dictionary<string, string> { ["WSI_GPU_ACCELERATOR"] = "cpu" };
        Programs.Result r = Programs.Run(
            "Reader.Bench.dll", env, "gpu-study", "--slide", slide, "--check", "6", "--batch", "4", "--workers", "2", "--reference-fraction", "1", "--phase-fraction", "0.5", "--out", output);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        string report = File.ReadAllText(Path.Combine(output, "gpu-study.md"));
        Assert.Contains("ILGPU CPU accelerator (NOT A GPU)", report, StringComparison.Ordinal);
        Assert.Contains("6 patches compared (aligned and unaligned): all identical", report, StringComparison.Ordinal);
        foreach (string phase in new[] { "file read", "host parse", "upload", "Huffman", "IDCT", "colour", "assembly", "kernel load" })
        {
            Assert.Contains(phase, report, StringComparison.Ordinal);
        }

        Assert.Contains("| huffman-write |", report, StringComparison.Ordinal); // the kernel work shapes
        Assert.Contains("\"isGpu\": false", File.ReadAllText(Path.Combine(output, "gpu-study.json")), StringComparison.Ordinal);
    }
}
