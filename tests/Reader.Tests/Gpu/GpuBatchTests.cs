using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// The device batch API against the CPU batch API: same order, same bytes, for the same seed and options;
/// JPEG and every lossless codec (decoded on the CPU, assembled on the device); buffers pooled and returned.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuBatchTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 600, Height = 420, TileWidth = 128, TileHeight = 128, Levels = 2, Quality = 80 };

    [Fact]
    public void Batches_equal_the_CPU_batch_API_for_the_same_seed_and_options()
    {
        int seed = Random.Shared.Next();
        GpuTestSupport.WithSeed(seed, () => SameBatches(seed));
    }

    private static void SameBatches(int seed)
    {
        var rng = new Random(seed);
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        var locations = new List<PatchLocation>();
        for (int i = 0; i < 14; i++)
        {
            locations.Add(new PatchLocation(rng.Next(-80, 640), rng.Next(-60, 460))); // unaligned, edges, partly and wholly outside
        }

        locations.Add(new PatchLocation(128, 256)); // aligned
        foreach ((int level, PixelFormat format) in new[] { (0, PixelFormat.Rgb24), (1, PixelFormat.Rgba32) })
        {
            var options = new BatchOptions { BatchSize = 4, Workers = 2, Shuffle = true, Seed = seed, Format = format };
            var cpuOrder = new List<PatchLocation>();
            var gpuOrder = new List<PatchLocation>();
            byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 72, 40, level, options, cpuOrder);
            byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 72, 40, level, options, gpuOrder);
            Assert.Equal(cpuOrder, gpuOrder);
            GpuTestSupport.Identical(cpu, gpu, 72, format.BytesPerPixel(), $"seed {seed} level {level} {format}");
        }
    }

    [Fact]
    public async Task Async_enumeration_drop_last_and_the_fill_colour_match_the_CPU()
    {
        string path = TestSlides.Get(Spec);
        Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "native shim unavailable");
        using var slide = Slide.Open(path, new SlideOptions { Fill = FillColor.White, CacheCapacity = 0 });
        var locations = Enumerable.Range(0, 7).Select(i => new PatchLocation((i * 97) - 50, (i * 61) - 30)).ToList();
        var options = new BatchOptions { BatchSize = 3, DropLast = true, Format = PixelFormat.Rgba32 };
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 50, 30, 0, options);
        using var all = new MemoryStream();
        int batches = 0;
        await foreach (DeviceBatch batch in slide.ReadRegionsOnDevice(locations, 50, 30, 0, options, GpuTestSupport.Cpu, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                batches++;
                Assert.Equal([3, 30, 50, 4], batch.Shape);
                Assert.Equal([30L * 50 * 4, 50L * 4, 4, 1], batch.Strides);
                Assert.Equal(batch.LengthInBytes, batch.View.Length);
                Assert.NotEqual(IntPtr.Zero, batch.DevicePointer);
                all.Write(batch.ToArray());
            }
        }

        Assert.Equal(2, batches);
        GpuTestSupport.Identical(cpu, all.ToArray(), 50, 4, "drop-last RGBA with white fill");
    }

    public static TheoryData<string> Lossless => ["deflate-predictor", "lzw-planar", "none-48", "zstd", "packbits", "rgba-deflate", "gray-lzw"];

    [Theory]
    [MemberData(nameof(Lossless))]
    public void Lossless_tiles_equal_the_CPU_batches_deflate_decoded_on_the_device_the_rest_on_the_CPU(string kind)
    {
        SyntheticSlideSpec spec = Read.SyntheticSlides.Kinds[kind] with { Levels = 1 };
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        var locations = new List<PatchLocation> { new(0, 0), new(61, 37), new(spec.Width - 20, spec.Height - 10), new(-10, 5) };
        PixelFormat format = spec.Color == SlideColor.Rgba ? PixelFormat.Rgba32 : PixelFormat.Rgb24;
        var options = new BatchOptions { BatchSize = 4, Format = format };
        var outcomes = new List<TileOutcome>();
        byte[] cpu = GpuTestSupport.CpuBatches(slide, locations, 64, 48, 0, options);
        byte[] gpu = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 64, 48, 0, options, outcomes: outcomes);
        GpuTestSupport.Identical(cpu, gpu, 64, format.BytesPerPixel(), kind);
        Assert.NotEmpty(outcomes);
        if (spec.Compression == SlideCompression.Deflate)
        {
            Assert.All(outcomes, o => Assert.Equal(TileDecodePath.Device, o.Path)); // inflate, predictor and conversion kernels
        }
        else
        {
            Assert.All(outcomes, o => Assert.Equal(TileDecodePath.Cpu, o.Path));
            Assert.All(outcomes, o => Assert.Contains("decode", o.Reason!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ReadRegion_on_the_device_equals_Slide_ReadRegion()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        foreach ((long x, long y, int level, int w, int h) in new[] { (130L, 70L, 0, 150, 90), (-20L, 400L, 0, 64, 64), (0L, 0L, 1, 300, 210), (555L, 11L, 1, 40, 33) })
        {
            using DeviceBatch region = GpuTestSupport.Decoder.ReadRegion(slide, x, y, level, w, h, PixelFormat.Rgba32);
            Assert.Equal([1, h, w, 4], region.Shape);
            GpuTestSupport.Identical(slide.ReadRegion(x, y, level, w, h, PixelFormat.Rgba32), region.ToArray(), w, 4, $"region ({x}, {y}) level {level}");
        }
    }

    [Fact]
    public void Kernels_and_Parallel_For_give_the_same_batches()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        var locations = new List<PatchLocation> { new(100, 100), new(500, 300), new(-5, 390) };
        var options = new BatchOptions { BatchSize = 2 };
        byte[] kernels = GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 90, 70, 0, options);
        byte[] bodies = GpuTestSupport.DeviceBatches(GpuTestSupport.ParallelForDecoder, slide, locations, 90, 70, 0, options);
        GpuTestSupport.Identical(kernels, bodies, 90, 3, "Parallel.For vs kernels");
    }

    [Fact]
    public void Device_buffers_are_pooled_and_returned_on_dispose_break_and_abandon()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        var locations = Enumerable.Range(0, 12).Select(i => new PatchLocation(i * 40, i * 30)).ToList();
        var options = new BatchOptions { BatchSize = 2, Prefetch = 3, Workers = 2 };
        foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, locations, 32, 32, 0, options, TestContext.Current.CancellationToken))
        {
            Assert.True(GpuDecoder.OutstandingDeviceBuffers > baseline);
            batch.Dispose();
            batch.Dispose(); // twice is harmless
            Assert.Throws<ObjectDisposedException>(() => batch.View);
            break; // undelivered batches are abandoned: their buffers go back too
        }

        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
        IntPtr first = IntPtr.Zero;
        for (int round = 0; round < 2; round++)
        {
            using DeviceBatch batch = GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0)]);
            first = round == 0 ? batch.DevicePointer : first;
            if (round == 1)
            {
                Assert.Equal(first, batch.DevicePointer); // the same buffer, from the pool
            }
        }

        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }

    [Fact]
    public void Cancellation_through_the_call_stops_and_returns_every_device_buffer()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        using var cts = new CancellationTokenSource();
        int received = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, Diagonal(40), 32, 32, 0, new BatchOptions { BatchSize = 2, Workers = 2, Prefetch = 3 }, cts.Token))
            {
                using (batch)
                {
                    if (++received == 2)
                    {
                        cts.Cancel();
                    }
                }
            }
        });
        Assert.Equal(2, received);
        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }

    [Fact]
    public async Task Cancellation_through_the_enumerator_token_stops_and_returns_every_device_buffer()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        using var cts = new CancellationTokenSource();
        int received = 0;
        DeviceBatches batches = slide.ReadRegionsOnDevice(Diagonal(40), 32, 32, 0, new BatchOptions { BatchSize = 2, Workers = 2, Prefetch = 3 }, GpuTestSupport.Cpu, TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (DeviceBatch batch in batches.WithCancellation(cts.Token))
            {
                using (batch)
                {
                    if (++received == 2)
                    {
                        await cts.CancelAsync();
                    }
                }
            }
        });
        Assert.Equal(2, received);
        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }

    [Fact]
    public async Task No_worker_starts_before_the_first_MoveNext()
    {
        // Eager workers would complete the first Prefetch batches, each holding a device buffer, while we wait.
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec));
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        DeviceBatches batches = GpuTestSupport.Decoder.ReadRegions(slide, Diagonal(12), 32, 32, 0, new BatchOptions { BatchSize = 2, Workers = 2, Prefetch = 3 }, TestContext.Current.CancellationToken);
        await using (IAsyncEnumerator<DeviceBatch> async = batches.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
            Assert.True(await async.MoveNextAsync());
            using DeviceBatch first = async.Current;
            Assert.Equal(2, first.Count);
            Assert.True(GpuDecoder.OutstandingDeviceBuffers > baseline);
        }

        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
        using (IEnumerator<DeviceBatch> sync = batches.GetEnumerator())
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
            Assert.True(sync.MoveNext());
            sync.Current.Dispose();
        }

        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }

    [Fact]
    public void An_undecodable_tile_names_its_first_patch_after_the_batches_before_it()
    {
        string path = SlideSurgery.WithCorruptTile(TestSlides.Get(Spec), 0, 3, 2); // level pixels (384..511, 256..383)
        using Slide slide = GpuTestSupport.OpenNative(path);
        long baseline = GpuDecoder.OutstandingDeviceBuffers;
        var locations = Enumerable.Range(0, 12).Select(i => new PatchLocation(i * 40, i * 30)).ToList();
        int delivered = 0;
        var e = Assert.Throws<PatchReadException>(() =>
        {
            foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, locations, 64, 64, 0, new BatchOptions { BatchSize = 3, Workers = 2 }, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    delivered++;
                }
            }
        });
        int firstBad = locations.FindIndex(l => l.X + 64 > 384 && l.X < 512 && l.Y + 64 > 256 && l.Y < 384);
        Assert.Equal(firstBad / 3, delivered);
        Assert.Equal(locations[firstBad], e.Location);
        var inner = Assert.IsType<CorruptSlideException>(e.InnerException);
        Assert.Equal(path, inner.FilePath);
        Assert.Contains("level 0", inner.Where, StringComparison.Ordinal);
        Assert.Contains("tile (3, 2)", inner.Where, StringComparison.Ordinal);
        Assert.Equal(baseline, GpuDecoder.OutstandingDeviceBuffers);
    }

    private static List<PatchLocation> Diagonal(int count) => [.. Enumerable.Range(0, count).Select(i => new PatchLocation(i * 13 % 560, i * 9 % 380))];
}
