using Reader.Core;
using Reader.Core.Batch;
using Reader.Tests.Gpu;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Formats;

/// <summary>
/// NDPI through Reader.Gpu (its kernels on ILGPU's CPU accelerator): restart-interval tiles and the 1/2-1/8 levels
/// have no device kernel, so the device batch API decodes them on the CPU from the fetched bytes; the batches must equal
/// the CPU batch API's on every level of the real fixture.
/// </summary>
public class NdpiGpuTests
{
    [Fact]
    public void Device_batches_equal_the_cpu_batches_on_every_level()
    {
        using Slide slide = GpuTestSupport.OpenNative(FixtureFiles.Real("test3-DAPI-2-(387).ndpi"));
        var locations = Enumerable.Range(0, 10).Select(i => new PatchLocation((i * 397) % 3968 - 20, (i * 491) % 4864 - 10)).ToList();
        var options = new BatchOptions { Workers = 2, BatchSize = 4 };
        for (int level = 0; level < slide.Levels.Count; level++)
        {
            byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 48, 40, level, options);
            byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 48, 40, level, options);
            GpuTestSupport.Identical(cpu, gpu, 48, 3, $"NDPI level {level}: device batches vs CPU batches");
        }
    }
}
