using Reader.Core;
using Reader.Core.Batch;

namespace Reader.Gpu;

/// <summary>The batch API with the device backend.</summary>
public static class GpuSlideExtensions
{
    /// <summary>
    /// Reads many patches in batches straight into device memory (N x H x W x C per batch): the device
    /// counterpart of <see cref="Slide.ReadRegions"/>, with the same order and contents for the same
    /// locations and <paramref name="options"/>. Consume it with <c>await foreach</c> (the primary form;
    /// <c>foreach</c> works too); nothing is read until the first MoveNext; dispose every batch.
    /// <paramref name="cancellationToken"/> stops the workers, like the token of <c>GetAsyncEnumerator</c>.
    /// </summary>
    public static DeviceBatches ReadRegionsOnDevice(this Slide slide, IReadOnlyList<PatchLocation> locations, int width, int height, int level = 0, BatchOptions? options = null, GpuReaderOptions? gpuOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(slide);
        return new GpuDecoder(gpuOptions).ReadRegions(slide, locations, width, height, level, options, cancellationToken);
    }
}
