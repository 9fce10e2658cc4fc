using Reader.Core;
using Reader.Core.Batch;

namespace Reader.Loader;

/// <summary>
/// An epoch's batches, in order. <c>await foreach</c> is the primary form; <c>foreach</c> works too. Each enumeration
/// reads afresh, starts its workers on its first MoveNext, and stops them when the loop ends or is cancelled.
/// Dispose every batch received.
/// </summary>
public sealed class LoaderBatches : IEnumerable<LoaderBatch>, IAsyncEnumerable<LoaderBatch>
{
    private readonly BatchPipeline<LoaderPatch, LoaderBatch> pipeline;

    internal LoaderBatches(BatchPipeline<LoaderPatch, LoaderBatch> pipeline)
    {
        this.pipeline = pipeline;
    }

    /// <summary>Batches in the epoch.</summary>
    public int BatchCount => pipeline.BatchCount;

    /// <inheritdoc/>
    public IAsyncEnumerator<LoaderBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) => pipeline.GetAsyncEnumerator(cancellationToken);

    /// <inheritdoc/>
    public IEnumerator<LoaderBatch> GetEnumerator() => pipeline.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Reads loader patches into batches: each patch through the slide pool, resized when the shape asks.</summary>
internal sealed class LoaderPatchProducer(SlideDataset dataset) : BatchProducer<LoaderPatch, LoaderBatch>
{
    public override LoaderBatch Begin(int batchIndex, ReadOnlyMemory<LoaderPatch> items) =>
        new(batchIndex, batchIndex * dataset.Options.BatchSize, items, dataset.Options.Patch.Width, dataset.Options.Patch.Height, dataset.Options.Format);

    public override void Produce(LoaderBatch batch, int slot, LoaderPatch item)
    {
        Span<byte> destination = batch.Patch(slot);
        if (dataset.IsSkipped(item.Slide))
        {
            MarkSkipped(batch, slot, destination);
            return;
        }

        try
        {
            dataset.ReadPatch(item, destination);
        }
        catch (Exception e) when (dataset.Options.SkipUnreadable && e is SlideException or IOException or UnauthorizedAccessException)
        {
            dataset.Skip(item.Slide, e);
            MarkSkipped(batch, slot, destination);
        }
    }

    public override void Complete(LoaderBatch batch)
    {
    }

    public override void Abandon(LoaderBatch batch) => batch.Dispose();

    private static void MarkSkipped(LoaderBatch batch, int slot, Span<byte> destination)
    {
        destination.Clear();
        batch.Labels[slot] = -1;
        batch.Skipped[slot] = true;
    }
}
