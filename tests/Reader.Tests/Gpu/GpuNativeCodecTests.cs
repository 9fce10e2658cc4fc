using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Native.Jpeg2000;
using Reader.Native.Webp;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// JPEG 2000 and WebP have no device kernels: the gatherer decodes their tiles on the CPU from the bytes it fetched
/// and uploads them; the device batches equal the CPU batch API's.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuNativeCodecTests
{
    public static TheoryData<string> Kinds => ["j2k-ycbcr", "webp"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Device_batches_of_native_only_codecs_equal_the_cpu_batches(string kind)
    {
        SyntheticSlideSpec spec = new() { Width = 300, Height = 200, TileWidth = 64, TileHeight = 64, Levels = 1, Seed = 4 };
        if (kind == "webp")
        {
            Assert.SkipUnless(NativeWebp.IsSupported, "WebP needs libwebp in the shim: " + NativeWebp.UnsupportedReason);
            spec = spec with { Compression = SlideCompression.WebP, Quality = 75 };
        }
        else
        {
            Assert.SkipUnless(NativeJpeg2000.IsSupported, "JPEG 2000 needs OpenJPEG in the shim: " + NativeJpeg2000.UnsupportedReason);
            spec = spec with { Compression = SlideCompression.Jpeg2000YCbCr, Subsampling = ChromaSubsampling.S420 };
        }

        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        var locations = new List<PatchLocation> { new(-10, -5), new(40, 40), new(250, 170), new(100, 90) };
        var outcomes = new List<TileOutcome>();
        byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 60, 50, 0, new BatchOptions { BatchSize = 2 }, outcomes: outcomes);
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 60, 50, 0, new BatchOptions { BatchSize = 2 });
        GpuTestSupport.Identical(cpu, gpu, 60, 3, kind + " device batches");
        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.Equal(TileDecodePath.Cpu, o.Path));
    }
}
