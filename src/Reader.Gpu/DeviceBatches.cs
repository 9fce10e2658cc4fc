using Reader.Core.Batch;

namespace Reader.Gpu;

/// <summary>
/// The device batches of a patch list: enumerate synchronously or with await foreach; each enumeration
/// reads the list afresh. Dispose every batch received; breaking out of the loop (or cancelling) stops
/// the workers and returns every device buffer not yet handed out. Order and contents equal the CPU
/// batches of <see cref="Reader.Core.Slide.ReadRegions"/> for the same locations and options.
/// </summary>
public sealed class DeviceBatches : IEnumerable<DeviceBatch>, IAsyncEnumerable<DeviceBatch>
{
    private readonly BatchPipeline<DeviceBatch> pipeline;

    internal DeviceBatches(BatchPipeline<DeviceBatch> pipeline, GpuDecoder decoder)
    {
        this.pipeline = pipeline;
        Decoder = decoder;
    }

    /// <summary>Batches this list yields.</summary>
    public int BatchCount => pipeline.BatchCount;

    /// <summary>The decoder (and through it the accelerator) the batches come from.</summary>
    public GpuDecoder Decoder { get; }

    public IEnumerator<DeviceBatch> GetEnumerator() => pipeline.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public IAsyncEnumerator<DeviceBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) => pipeline.GetAsyncEnumerator(cancellationToken);
}
