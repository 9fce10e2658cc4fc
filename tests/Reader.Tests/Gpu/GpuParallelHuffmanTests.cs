using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu;
using Reader.Native.Jpeg;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// The parallel Huffman decoder (subsequences synchronised in rounds; one thread per restart interval where the
/// scan has them) on ILGPU's CPU accelerator, byte for byte against libjpeg-turbo: subsequences cut down to 256 bits
/// so every scan is split many times and must synchronise, on every subsampling, grey, RGB-coded, restart markers
/// and odd tile sizes; tiles that never synchronise and scans with bad structure fall back to the CPU; the work
/// shape goals on a study-like slide (256-pixel Q95 tiles).
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuParallelHuffmanTests
{
    private static readonly Lazy<GpuDecoder> Fine = new(() => new GpuDecoder(GpuTestSupport.Cpu with { HuffmanSubsequenceBits = 256 }));

    public static TheoryData<string> Kinds => ["420-256-edges", "422-240-aperio-size", "444-16", "440-32", "gray-64", "aperio-rgb-240", "restart-64-420", "tables-split"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Scans_split_into_256_bit_subsequences_synchronise_to_libjpeg_turbos_bytes(string kind)
    {
        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds[kind];
        BatchTimings timings = GpuJpegTileTests.TilesMatchShim(spec, kind == "gray-64" ? PixelFormat.Rgba32 : PixelFormat.Rgb24, kind + " (256-bit subsequences)", Fine.Value);
        KernelShape write = Assert.Single(timings.Kernels, k => k.Name == "huffman-write");
        Assert.True(write.Threads > timings.HuffmanSegments, $"{write.Threads} threads for {timings.HuffmanSegments} segments");
        Assert.InRange(timings.HuffmanRounds, 2, Fine.Value.Options.HuffmanMaxRounds); // guesses corrected, then a round without change
        KernelShape sync = Assert.Single(timings.Kernels, k => k.Name == "huffman-sync");
        Assert.Equal(timings.HuffmanRounds, sync.Launches);
        Assert.InRange(write.MaxSerialBytes, 1, (8192 / 8) + 4); // at most 8 kbit of subsequences in a round, and the codeword crossing the end
    }

    [Fact]
    public void Restart_intervals_decode_one_thread_each_without_synchronising()
    {
        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds["restart-16"]; // one MCU per interval
        BatchTimings timings = GpuJpegTileTests.TilesMatchShim(spec, PixelFormat.Rgb24, "restart-16");
        int tiles = timings.DeviceTiles;
        Assert.Equal(tiles * 1, timings.HuffmanSegments); // 16x16 tiles at 4:2:0: one MCU, one interval
        Assert.Equal(0, timings.HuffmanRounds);
        Assert.DoesNotContain(timings.Kernels, k => k.Name == "huffman-sync");
        Assert.Equal(timings.HuffmanSegments, Assert.Single(timings.Kernels, k => k.Name == "huffman-write").Threads);

        SyntheticSlideSpec three = GpuJpegTileTests.Kinds["restart-64-420"]; // 16 MCUs in intervals of 3: 6 per tile
        BatchTimings t3 = GpuJpegTileTests.TilesMatchShim(three, PixelFormat.Rgb24, "restart-64-420", Fine.Value);
        Assert.Equal(t3.DeviceTiles * 6, t3.HuffmanSegments);
    }

    [Fact]
    public void Tiles_that_do_not_synchronise_in_the_rounds_allowed_fall_back_to_the_CPU()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(GpuJpegTileTests.Kinds["420-256-edges"]));
        using var decoder = new GpuDecoder(GpuTestSupport.Cpu with { HuffmanSubsequenceBits = 256, HuffmanMaxRounds = 1 });
        TileIndex[] tiles = [new(0, 0), new(1, 1)];
        using DeviceBatch batch = decoder.DecodeTiles(slide, 0, tiles);
        Assert.All(batch.TileOutcomes, o =>
        {
            Assert.Equal(TileDecodePath.CpuFallback, o.Path);
            Assert.Equal(JpegSubsequences.NotSynchronised, o.DeviceStatus);
            Assert.Contains("did not synchronise", o.Reason!, StringComparison.Ordinal);
        });
        Assert.Equal(1, batch.Timings.HuffmanRounds);
        using DeviceBatch reference = GpuTestSupport.Decoder.DecodeTiles(slide, 0, tiles);
        Assert.All(reference.TileOutcomes, o => Assert.Equal(TileDecodePath.Device, o.Path));
        GpuTestSupport.Identical(reference.ToArray(), batch.ToArray(), 256, 3, "fallback after no synchronisation");
    }

    [Fact]
    public void Fill_bytes_before_restart_markers_and_EOI_are_skipped_on_the_device()
    {
        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds["restart-64-420"];
        string path = GpuSurgery.WithTile(TestSlides.Get(spec), 0, 1, 0, WithFillBytes);
        using Slide slide = GpuTestSupport.OpenNative(path);
        using DeviceBatch batch = Fine.Value.DecodeTiles(slide, 0, [new TileIndex(1, 0)]);
        Assert.Equal(TileDecodePath.Device, batch.TileOutcomes[0].Path);
        (byte[]? tables, byte[] raw) = GpuSurgery.RawTile(path, 0, 1, 0);
        GpuTestSupport.Identical(GpuTestSupport.ShimTile(tables, raw, JpegColorSpace.YCbCr, PixelFormat.Rgb24, 64, 64), batch.ToArray(), 64, 3, "fill bytes");
    }

    [Fact]
    public void Restart_markers_out_of_sequence_fail_on_the_device_and_then_on_the_CPU_with_a_typed_exception()
    {
        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds["restart-64-420"];
        string path = GpuSurgery.WithTile(TestSlides.Get(spec), 0, 0, 0, SwapFirstRestartMarkers);
        using Slide slide = GpuTestSupport.OpenNative(path);
        var e = Assert.Throws<CorruptSlideException>(() => Fine.Value.DecodeTiles(slide, 0, [new TileIndex(1, 0), new TileIndex(0, 0)]));
        Assert.Equal("level 0 (IFD 0) tile (0, 0)", e.Where);
    }

    [Fact]
    public void A_truncated_scan_fails_on_the_device_and_the_CPU_reports_it_typed()
    {
        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds["420-256-edges"];
        string path = GpuSurgery.WithTile(TestSlides.Get(spec), 0, 0, 0, t => [.. t[..(t.Length / 2)], 0xFF, 0xD9]);
        using Slide slide = GpuTestSupport.OpenNative(path);
        var outcomes = new List<TileOutcome>();
        var error = Assert.Throws<PatchReadException>(() => GpuTestSupport.DeviceBatches(Fine.Value, slide, [new PatchLocation(300, 10), new PatchLocation(10, 10)], 32, 32, 0, new BatchOptions { BatchSize = 2 }, outcomes: outcomes));
        var inner = Assert.IsType<CorruptSlideException>(error.InnerException);
        Assert.Contains("tile (0, 0)", inner.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Work_shape_goals_on_256_pixel_Q95_tiles_no_Huffman_thread_over_4_KiB_and_64_threads_per_tile()
    {
        // The 0.1-scale study slide's tiles: 256 x 256, 4:2:0, quality 95 (a few of them: the CPU accelerator is slow).
        var spec = new SyntheticSlideSpec { Width = 512, Height = 512, TileWidth = 256, TileHeight = 256, Levels = 1, Quality = 95, Seed = 12 };
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        var locations = new List<PatchLocation> { new(0, 0), new(256, 0), new(0, 256), new(256, 256) };
        var batches = new List<BatchTimings>();
        byte[] gpu;
        using (var all = new MemoryStream())
        {
            foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, locations, 256, 256, 0, new BatchOptions { BatchSize = 4 }, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    all.Write(batch.ToArray());
                    batches.Add(batch.Timings);
                }
            }

            gpu = all.ToArray();
        }

        GpuTestSupport.Identical(GpuTestSupport.CpuBatches(slide, locations, 256, 256, 0, new BatchOptions { BatchSize = 4 }), gpu, 256, 3, "study-like tiles");
        BatchTimings t = Assert.Single(batches);
        Assert.Equal(4, t.DeviceTiles);
        KernelShape write = Assert.Single(t.Kernels, k => k.Name == "huffman-write");
        KernelShape sync = Assert.Single(t.Kernels, k => k.Name == "huffman-sync");
        Assert.True(write.Threads >= 64L * t.DeviceTiles, $"{write.Threads} Huffman threads for {t.DeviceTiles} tiles");
        Assert.InRange(write.MaxSerialBytes, 1, 4096);
        Assert.InRange(t.HuffmanRounds, 2, 8); // rounds are deterministic (double-buffered entries); measured 5 here
        Assert.InRange(sync.MaxSerialBytes, 1, 4096);
        Assert.True(t.CompressedBytes > 64 * 4 * 128, "tiles this small would not test the goal");
        Assert.All(t.Kernels, k => Assert.True(k.Launches >= 1 && k.Threads > 0, k.ToString()));
        Assert.All(t.Kernels.Where(k => !k.Name.StartsWith("scan", StringComparison.Ordinal)), k => Assert.True(k.GroupSize > 0, k.ToString()));
        foreach (string name in new[] { "huffman-sync", "scan-blocks", "huffman-write", "scan-dc", "dc-fix", "idct", "colour", "assembly" })
        {
            Assert.Contains(t.Kernels, k => k.Name == name);
        }
    }

    /// <summary>The tile with two fill bytes (FF FF) before every restart marker and before EOI.</summary>
    private static byte[] WithFillBytes(byte[] tile)
    {
        int scan = Scans.HeaderScanStart(tile);
        var output = new List<byte>(tile[..scan]);
        for (int i = scan; i < tile.Length; i++)
        {
            if (tile[i] == 0xFF && i + 1 < tile.Length && (tile[i + 1] == 0xD9 || (tile[i + 1] >= 0xD0 && tile[i + 1] <= 0xD7)))
            {
                output.Add(0xFF);
                output.Add(0xFF);
            }

            output.Add(tile[i]);
        }

        return [.. output];
    }

    /// <summary>The tile with its RST0 and RST1 markers exchanged.</summary>
    private static byte[] SwapFirstRestartMarkers(byte[] tile)
    {
        byte[] copy = [.. tile];
        int scan = Scans.HeaderScanStart(tile);
        int first = -1, second = -1;
        for (int i = scan; i + 1 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] == 0xD0 && first < 0)
            {
                first = i + 1;
            }
            else if (copy[i] == 0xFF && copy[i + 1] == 0xD1 && second < 0)
            {
                second = i + 1;
            }
        }

        Assert.True(first > 0 && second > 0, "no RST0 and RST1 in the tile");
        (copy[first], copy[second]) = (copy[second], copy[first]);
        return copy;
    }

    private static class Scans
    {
        public static int HeaderScanStart(byte[] tile)
        {
            int start = Reader.Gpu.Host.HeaderCache.ScanStart(tile);
            Assert.True(start > 0, "no SOS in the tile");
            return start;
        }
    }
}
