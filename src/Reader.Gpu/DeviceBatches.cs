using Reader.Core.Batch;

namespace Reader.Gpu;

/// <summary>
/// The device batches of a patch list. <see cref="IAsyncEnumerable{T}"/> is the primary form
/// (<c>await foreach</c>: waiting for a batch blocks no thread); synchronous <c>foreach</c> works too.
/// Each enumeration reads the list afresh and starts its workers on its first MoveNext, not before.
/// Dispose every batch received; breaking out of the loop (or cancelling) stops the workers and returns
/// every device buffer not yet handed out. Order and contents equal the CPU batches of
/// <see cref="Reader.Core.Slide.ReadRegions"/> for the same locations and options.
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

    /// <summary>
    /// Enumerates the batches asynchronously (the primary form). <paramref name="cancellationToken"/> is linked
    /// with the token given to <see cref="GpuDecoder.ReadRegions"/>: either one cancels.
    /// </summary>
    public IAsyncEnumerator<DeviceBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) => pipeline.GetAsyncEnumerator(cancellationToken);

    /// <summary>Enumerates the batches synchronously, blocking while a batch is read; the call's token still cancels.</summary>
    public IEnumerator<DeviceBatch> GetEnumerator() => pipeline.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
