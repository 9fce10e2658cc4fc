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
    public override LoaderBatch Begin(int batchIndex, ReadOnlyMemory<LoaderPatch> items)
    {
        PrefetchRemote(items.Span);
        return new(batchIndex, batchIndex * dataset.Options.BatchSize, items, dataset.Options.Patch.Width, dataset.Options.Patch.Height, dataset.Options.Format);
    }

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

    // Remote slides: each slide's tiles for the whole batch in merged, concurrent requests before the patches are read
    // one by one (local slides need nothing). A failure here is left to the patch reads, which report it properly.
    private void PrefetchRemote(ReadOnlySpan<LoaderPatch> items)
    {
        Dictionary<int, List<PatchLocation>>? remote = null;
        foreach (LoaderPatch p in items)
        {
            if (!dataset.IsSkipped(p.Slide) && dataset.Slides[p.Slide].Path.Contains("://", StringComparison.Ordinal))
            {
                remote ??= [];
                if (!remote.TryGetValue(p.Slide, out List<PatchLocation>? list))
                {
                    remote[p.Slide] = list = [];
                }

                list.Add(new PatchLocation(p.X, p.Y));
            }
        }

        if (remote is null)
        {
            return;
        }

        foreach ((int slide, List<PatchLocation> locations) in remote)
        {
            try
            {
                using SlidePool.SlideLease lease = dataset.Pool.Rent(slide);
                PatchGeometry g = dataset.DataOf(slide, lease.Slide).Geometry;
                lease.Slide.Prefetch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(locations), g.Level, g.SourceWidth, g.SourceHeight);
            }
            catch (Exception e) when (e is SlideException or IOException or UnauthorizedAccessException or HttpRequestException)
            {
                // The reads of these patches meet the same error and name it.
            }
        }
    }

    private static void MarkSkipped(LoaderBatch batch, int slot, Span<byte> destination)
    {
        destination.Clear();
        batch.Labels[slot] = -1;
        batch.Skipped[slot] = true;
    }
}
