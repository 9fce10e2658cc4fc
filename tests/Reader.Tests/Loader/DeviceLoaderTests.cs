using ILGPU;
using ILGPU.Runtime;
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
        Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 4, Seed = 12 },
        BatchSize = batch,
        Workers = 2,
    };

    [Fact]
    public async Task Device_batches_equal_host_batches()
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

        }
        finally
        {
            host.ForEach(h => h.Dispose());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_transform_kernels_equal_the_host_reference_bit_for_bit(bool toFloat)
    {
        const int n = 9, size = 24, channels = 3;
        var input = new byte[n * size * size * channels];
        new Random(17).NextBytes(input);
        var transform = new DeviceTransform { ToFloat = toFloat, RandomFlips = true, RandomRotations = true, Seed = 5, Mean = [0.1f, 0.5f, 0.9f], Std = [0.3f, 0.7f, 0.2f] };
        int[] codes = [.. Enumerable.Range(0, n).Select(i => transform.CodeOf(2, i))];
        Assert.True(codes.Distinct().Count() >= 4, "the seed gives too few distinct flip/rotation codes to test");
        TransformShape shape = transform.Shape(n, size, size, channels);
        using var decoder = new GpuDecoder(new GpuReaderOptions { Accelerator = GpuAcceleratorKind.Cpu });
        ILGPU.Runtime.Accelerator accelerator = decoder.Accelerator;
        using var deviceInput = accelerator.Allocate1D(input);
        using var deviceCodes = accelerator.Allocate1D(codes);
        if (toFloat)
        {
            var expected = new float[input.Length];
            transform.ApplyOnHost(input, n, size, size, channels, codes, expected, default);
            using var output = accelerator.Allocate1D<float>(input.Length);
            var kernel = accelerator.LoadAutoGroupedStreamKernel<ILGPU.Index1D, ILGPU.ArrayView<byte>, ILGPU.ArrayView<int>, ILGPU.ArrayView<float>, TransformShape>(TransformBody.FloatKernel);
            kernel(input.Length, deviceInput.View, deviceCodes.View, output.View, shape);
            accelerator.Synchronize();
            float[] actual = output.GetAsArray1D();
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }
        else
        {
            var expected = new byte[input.Length];
            transform.ApplyOnHost(input, n, size, size, channels, codes, default, expected);
            using var output = accelerator.Allocate1D<byte>(input.Length);
            var kernel = accelerator.LoadAutoGroupedStreamKernel<ILGPU.Index1D, ILGPU.ArrayView<byte>, ILGPU.ArrayView<int>, ILGPU.ArrayView<byte>, TransformShape>(TransformBody.ByteKernel);
            kernel(input.Length, deviceInput.View, deviceCodes.View, output.View, shape);
            accelerator.Synchronize();
            Assert.Equal(expected, output.GetAsArray1D());
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
