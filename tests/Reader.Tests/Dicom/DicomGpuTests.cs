using Reader.Core;
using Reader.Core.Batch;
using Reader.Tests.Gpu;

namespace Reader.Tests.Dicom;

/// <summary>
/// DICOM levels through Reader.Gpu (its kernels on ILGPU's CPU accelerator): the device batch API fetches tiles from
/// each level's own source (ITileSource.Source) and gives the CPU batch API's bytes, sparse fill and split fragments
/// and concatenations included.
/// </summary>
public class DicomGpuTests
{
    [Theory]
    [InlineData("jpeg-bot")]
    [InlineData("sparse-jpeg")]
    [InlineData("fragments-bot")]
    [InlineData("concatenation")]
    [InlineData("uncompressed")]
    public void Device_batches_equal_the_cpu_batches(string kind)
    {
        using Slide slide = GpuTestSupport.OpenNative(TestDicom.Level0(TestDicom.Kinds[kind]));
        var locations = Enumerable.Range(0, 12).Select(i => new PatchLocation((i * 83) % 900, (i * 59) % 600)).ToList();
        var options = new BatchOptions { Workers = 2, BatchSize = 5 };
        for (int level = 0; level < slide.Levels.Count; level++)
        {
            byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 64, 64, level, options);
            byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 64, 64, level, options);
            GpuTestSupport.Identical(cpu, gpu, 64, 3, $"{kind} level {level}: device batches vs CPU batches");
        }
    }
}
