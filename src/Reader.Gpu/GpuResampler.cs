using ILGPU;
using ILGPU.Runtime;
using Reader.Core.Loader;
using Reader.Gpu.Kernels;

namespace Reader.Gpu;

/// <summary>
/// Area-average downscaling on the accelerator (the loader's resize for patches read at a target resolution): the
/// same integer filter as <see cref="AreaResampler"/>, so device and CPU patches are byte-identical. The kernel is
/// compiled on first use and kept with the resampler.
/// </summary>
public sealed class GpuResampler
{
    private readonly Accelerator accelerator;
    private readonly Lazy<Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<byte>, ResampleShape>> kernel;

    /// <summary>A resampler on <paramref name="decoder"/>'s accelerator.</summary>
    public GpuResampler(GpuDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        accelerator = decoder.Accelerator;
        kernel = new(() => accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<byte>, ResampleShape>(ResampleKernel.Resample), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Resamples device image <paramref name="source"/> into device image <paramref name="destination"/> on <paramref name="stream"/> (no synchronisation).</summary>
    public void Resample(AcceleratorStream stream, ArrayView<byte> source, int sourceWidth, int sourceHeight, int channels, ArrayView<byte> destination, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(stream);
        AreaResampler.Check(source.Length, sourceWidth, sourceHeight, channels, destination.Length, width, height);
        kernel.Value(stream, width * height * channels, source, destination, new ResampleShape(sourceWidth, sourceHeight, channels, width, height));
    }

    /// <summary>Uploads <paramref name="source"/>, resamples it on the accelerator and downloads the result.</summary>
    public byte[] Resample(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int channels, int width, int height)
    {
        AreaResampler.Check(source.Length, sourceWidth, sourceHeight, channels, (long)width * height * channels, width, height);
        using MemoryBuffer1D<byte, Stride1D.Dense> input = accelerator.Allocate1D<byte>(source.Length);
        using MemoryBuffer1D<byte, Stride1D.Dense> output = accelerator.Allocate1D<byte>((long)width * height * channels);
        input.View.AsContiguous().CopyFromCPU(source);
        Resample(accelerator.DefaultStream, input.View, sourceWidth, sourceHeight, channels, output.View, width, height);
        accelerator.Synchronize();
        return output.GetAsArray1D();
    }
}
