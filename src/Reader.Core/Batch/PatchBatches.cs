namespace Reader.Core.Batch;

/// <summary>
/// The batches of a patch list. <see cref="IAsyncEnumerable{T}"/> is the primary form
/// (<c>await foreach</c>: waiting for a batch blocks no thread); synchronous <c>foreach</c> works too.
/// Each enumeration reads the list afresh and starts its workers on its first MoveNext, not before.
/// Dispose every batch received; breaking out of the loop (or cancelling) stops the workers and
/// returns every buffer not yet handed out.
/// </summary>
public sealed class PatchBatches : IEnumerable<PatchBatch>, IAsyncEnumerable<PatchBatch>
{
    private readonly BatchPipeline<PatchBatch> pipeline;

    internal PatchBatches(BatchPipeline<PatchBatch> pipeline)
    {
        this.pipeline = pipeline;
    }

    /// <summary>Batches this list yields.</summary>
    public int BatchCount => pipeline.BatchCount;

    /// <summary>
    /// Enumerates the batches asynchronously (the primary form). <paramref name="cancellationToken"/> is linked
    /// with the token given to <see cref="Slide.ReadRegions"/>: either one cancels.
    /// </summary>
    public IAsyncEnumerator<PatchBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) => pipeline.GetAsyncEnumerator(cancellationToken);

    /// <summary>Enumerates the batches synchronously, blocking while a batch is read; the call's token still cancels.</summary>
    public IEnumerator<PatchBatch> GetEnumerator() => pipeline.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The CPU producer: every patch is a <see cref="Slide.ReadRegion(long, long, int, int, int, Span{byte}, PixelFormat)"/>.</summary>
internal sealed class CpuPatchProducer(Slide slide, int level, int width, int height, PixelFormat format) : BatchProducer<PatchBatch>
{
    public override PatchBatch Begin(int batchIndex, ReadOnlyMemory<PatchLocation> locations)
    {
        slide.Prefetch(locations.Span, level, width, height); // remote slides: the whole batch's tiles in merged requests
        return new(batchIndex, locations, width, height, format);
    }

    public override void Produce(PatchBatch batch, int slot, PatchLocation location) =>
        slide.ReadRegion(location.X, location.Y, level, width, height, batch.Patch(slot), format);

    public override void Complete(PatchBatch batch)
    {
    }

    public override void Abandon(PatchBatch batch) => batch.Dispose();
}
