using Reader.Core;
using Reader.Core.Loader;
using Reader.Gpu;
using Reader.Gpu.Accelerators;
using Reader.Loader;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Loader;

/// <summary>
/// Device batches through the GPU path on ILGPU's CPU accelerator (no GPU is needed, none is claimed): pixels equal to
/// the host batches (JPEG 4:2:0 and 4:4:4, deflate, resized to a target mpp), and the float conversion with
/// normalisation, flips and rotations equal to the host reference, element for element.
/// </summary>
public sealed class DeviceLoaderTests
{
    private static readonly List<SlideEntry> Slides =
    [
        new(TestSlides.Get(new SyntheticSlideSpec { Width = 3072, Height = 2048, Levels = 2, Seed = 31, Quality = 90, Vendor = SlideVendor.Aperio }), "a"),
        new(TestSlides.Get(new SyntheticSlideSpec { Width = 2048, Height = 2048, Levels = 2, Seed = 32, Quality = 90, Subsampling = ChromaSubsampling.S444 }), "b"),
        new(TestSlides.Get(new SyntheticSlideSpec { Width = 2048, Height = 1536, Levels = 2, Seed = 33, Compression = SlideCompression.Deflate }), "a"),
    ];

    private static LoaderOptions Options(int batch) => new()
    {
        Patch = new PatchShape { Width = 48, Height = 48, Resolution = new PatchResolution { Mpp = 0.8, FallbackMpp = 0.5 } },
        Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 6, Seed = 12 },
        BatchSize = batch,
        Workers = 2,
    };

    [Fact]
    public async Task Device_batches_equal_host_batches_and_the_transform_equals_the_host_reference()
    {
        using var dataset = new SlideDataset(Slides, Options(7));
        IReadOnlyList<LoaderPatch> epoch = dataset.Epoch(3);
        List<LoaderBatch> host = [.. dataset.Batches(epoch, TestContext.Current.CancellationToken)];
        using var decoder = new GpuDecoder(new GpuReaderOptions { Accelerator = GpuAcceleratorKind.Cpu });
        try
        {
            var plain = new DeviceLoader(dataset, decoder, new DeviceTransform { ToFloat = false });
            int b = 0;
            await foreach (DeviceLoaderBatch batch in plain.Batches(epoch, 3, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    Assert.Equal([batch.Count, 48, 48, 3], batch.Shape);
                    Assert.True(host[b].Data.Span.SequenceEqual(batch.BytesToHost()), $"batch {b}");
                    Assert.Equal(host[b].Labels, batch.Labels);
                    b++;
                }
            }

            Assert.Equal(host.Count, b);

            var transform = new DeviceTransform { RandomFlips = true, RandomRotations = true, Seed = 5 };
            var augmenting = new DeviceLoader(dataset, decoder, transform);
            b = 0;
            var codesSeen = new HashSet<int>();
            await foreach (DeviceLoaderBatch batch in augmenting.Batches(epoch, 3, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    Assert.True(batch.IsFloat);
                    Assert.Equal([batch.Count, 3, 48, 48], batch.Shape);
                    int[] codes = [.. Enumerable.Range(0, batch.Count).Select(i => transform.CodeOf(3, (b * 7) + i))];
                    codesSeen.UnionWith(codes);
                    var expected = new float[batch.Count * 3 * 48 * 48];
                    transform.ApplyOnHost(host[b].Data.Span, batch.Count, 48, 48, 3, codes, expected, default);
                    float[] actual = batch.FloatsToHost();
                    Assert.Equal(expected.Length, actual.Length);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                        {
                            Assert.Fail($"batch {b} element {i}: {actual[i]} on the device, {expected[i]} on the host");
                        }
                    }

                    b++;
                }
            }

            Assert.True(codesSeen.Count >= 6, $"only {codesSeen.Count} distinct flip/rotation codes over the epoch");
        }
        finally
        {
            host.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void The_host_reference_flips_rotates_and_normalises_as_documented()
    {
        // One 2 x 2 grey patch: values 0, 1 / 2, 3 (row-major).
        byte[] patch = [0, 1, 2, 3];
        var t = new DeviceTransform { ToFloat = false, Mean = [0f], Std = [1f] };
        byte[] Apply(int code)
        {
            var output = new byte[4];
            t.ApplyOnHost(patch, 1, 2, 2, 1, [code], default, output);
            return output;
        }

        Assert.Equal([0, 1, 2, 3], Apply(0));
        Assert.Equal([1, 0, 3, 2], Apply(1)); // horizontal flip
        Assert.Equal([2, 3, 0, 1], Apply(2)); // vertical flip
        Assert.Equal([2, 0, 3, 1], Apply(4)); // a quarter turn clockwise
        Assert.Equal([3, 2, 1, 0], Apply(8)); // half turn
        var f = new float[4];
        new DeviceTransform { Mean = [0.5f], Std = [0.25f] }.ApplyOnHost(patch, 1, 2, 2, 1, [0], f, default);
        Assert.Equal((0 - 127.5f) * (1f / 63.75f), f[0]);
        Assert.Throws<ArgumentException>(() => new DeviceTransform { RandomRotations = true }.Shape(1, 2, 3, 3));
    }
}
