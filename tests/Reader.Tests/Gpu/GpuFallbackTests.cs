using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// Per-tile status: tiles the device decode fails on are decoded on the CPU (libjpeg-turbo) and uploaded into
/// their slot; tiles the kernels cannot take never reach them; when the CPU fails too, a typed exception names
/// file, level and tile.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuFallbackTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 200, Height = 150, TileWidth = 64, TileHeight = 64, Levels = 1, Quality = 70 };

    [Fact]
    public void A_tile_whose_device_decode_fails_is_decoded_on_the_CPU_into_its_slot()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        using var decoder = new GpuDecoder(GpuTestSupport.Cpu with { WithholdFromDevice = (c, r) => c == 1 && r == 1 });
        var locations = new List<PatchLocation> { new(40, 40), new(100, 90) };
        var outcomes = new List<TileOutcome>();
        byte[] gpu = GpuTestSupport.DeviceBatches(decoder, slide, locations, 60, 50, 0, new BatchOptions { BatchSize = 2 }, outcomes: outcomes);
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 60, 50, 0, new BatchOptions { BatchSize = 2 });
        GpuTestSupport.Identical(cpu, gpu, 60, 3, "with a CPU fallback");
        TileOutcome failed = Assert.Single(outcomes, o => o.Tile == new TileIndex(1, 1));
        Assert.Equal(TileDecodePath.CpuFallback, failed.Path);
        Assert.Equal(JpegStatus.PrematureEnd, failed.DeviceStatus);
        Assert.Contains("premature end", failed.Reason!, StringComparison.Ordinal);
        Assert.All(outcomes.Where(o => o.Tile != new TileIndex(1, 1)), o => Assert.Equal(TileDecodePath.Device, o.Path));
    }

    [Fact]
    public void A_marker_after_the_scan_sends_the_tile_to_the_CPU_which_decodes_it()
    {
        string path = GpuSurgery.WithTile(TestSlides.Get(Spec), 0, 2, 1, GpuSurgery.CommentAfterScan);
        using Slide slide = GpuTestSupport.OpenNative(path);
        using DeviceBatch batch = GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(2, 1), new TileIndex(0, 0)]);
        Assert.Equal(TileDecodePath.CpuFallback, batch.TileOutcomes[0].Path);
        Assert.Equal(JpegStatus.MarkerAfterScan, batch.TileOutcomes[0].DeviceStatus);
        Assert.Equal(TileDecodePath.Device, batch.TileOutcomes[1].Path);
        byte[] expected = new byte[64 * 64 * 3];
        slide.ReadRegion(128, 64, 0, 64, 64, expected, PixelFormat.Rgb24);
        Assert.True(expected.AsSpan().SequenceEqual(batch.ToArray().AsSpan(0, expected.Length)), "fallback tile differs from the CPU read");
    }

    [Fact]
    public void Extended_sequential_tiles_decode_on_the_device_and_progressive_ones_go_to_the_CPU()
    {
        string source = TestSlides.Get(Spec);
        string extended = GpuSurgery.WithTile(source, 0, 0, 0, t => GpuSurgery.WithFrameMarker(t, 0xC1));
        using (Slide slide = GpuTestSupport.OpenNative(extended))
        {
            using DeviceBatch batch = GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0)]);
            Assert.Equal(TileDecodePath.Device, batch.TileOutcomes[0].Path);
            byte[] expected = slide.ReadRegion(0, 0, 0, 64, 64);
            Assert.True(expected.AsSpan().SequenceEqual(batch.ToArray()), "SOF1 tile differs");
        }

        // A baseline scan under a progressive frame header: the kernels refuse the tile; libjpeg-turbo on the
        // CPU refuses its scan parameters; the error is typed and names the tile.
        string progressive = GpuSurgery.WithTile(source, 0, 1, 0, t => GpuSurgery.WithFrameMarker(t, 0xC2));
        using (Slide slide = GpuTestSupport.OpenNative(progressive))
        {
            var e = Assert.ThrowsAny<SlideException>(() => GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 0)]));
            Assert.Equal(progressive, e.FilePath);
            Assert.Contains("level 0", e.Where, StringComparison.Ordinal);
            Assert.Contains("tile (1, 0)", e.Where, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corrupt_entropy_data_fails_on_the_device_and_then_on_the_CPU_with_a_typed_exception()
    {
        string path = SlideSurgery.WithCorruptTile(TestSlides.Get(Spec), 0, 1, 1);
        using Slide slide = GpuTestSupport.OpenNative(path);
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        var e = Assert.Throws<CorruptSlideException>(() => GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 1)]));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("level 0 (IFD 0) tile (1, 1)", e.Where);
        Assert.Contains("JPEG", e.Reason, StringComparison.Ordinal);
        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);

        // The same through the batch API: the tile's status sent it to the CPU, which failed too.
        var batchError = Assert.Throws<PatchReadException>(() =>
        {
            foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, [new PatchLocation(70, 70)], 32, 32, cancellationToken: TestContext.Current.CancellationToken))
            {
                batch.Dispose();
            }
        });
        Assert.IsType<CorruptSlideException>(batchError.InnerException);
        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }
}
