using System.Collections.Concurrent;
using System.Globalization;
using Reader.Core;

namespace Reader.Loader;

/// <summary>
/// Patches over many slides for training: slides opened lazily in a bounded pool, patches at a target resolution,
/// tissue-filtered and labelled by annotations, chosen per epoch by a seeded sampler and split across ranks, read in
/// batches by N workers. An epoch's patches and their order depend on (seed, epoch, rank, world size) only, never on
/// the worker count.
/// </summary>
/// <example>
/// <code>
/// using var dataset = SlideDataset.FromManifest("slides.csv", new LoaderOptions { Patch = new() { Width = 224, Height = 224, Resolution = PatchResolution.AtMpp(0.5) }, Tissue = new() });
/// await foreach (LoaderBatch batch in dataset.Batches(epoch: 0)) { using (batch) { /* batch.Data, batch.Labels */ } }
/// </code>
/// </example>
public sealed class SlideDataset : IDisposable
{
    private readonly IReadOnlyList<SlideEntry> slides;
    private readonly SlideDataCache<SlideData> data;
    private readonly ConcurrentDictionary<int, string> skipped = new();
    private readonly Lock classGate = new();
    private Dictionary<string, int>? classIndex;
    private IReadOnlyList<string>? classes;

    /// <summary>A dataset over <paramref name="slides"/>.</summary>
    public SlideDataset(IReadOnlyList<SlideEntry> slides, LoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(slides);
        Options = options ?? new LoaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Sampling.WorldSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)Options.Sampling.Rank, (uint)Options.Sampling.WorldSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Workers, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.CachedSlideData, 1, nameof(options));
        if (Options.MinTissue is < 0 or > 1 || double.IsNaN(Options.MinTissue))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.MinTissue, "MinTissue is a fraction (0-1)");
        }

        this.slides = slides;
        Pool = new SlidePool(slides, Options.OpenSlides, Options.SlideOptions);
        data = new SlideDataCache<SlideData>(Options.CachedSlideData);
        if (Options.Classes is { } given)
        {
            SetClasses(given);
        }
    }

    /// <summary>A dataset over the slides of a manifest (CSV or JSON Lines, see <see cref="SlideManifest"/>).</summary>
    public static SlideDataset FromManifest(string manifest, LoaderOptions? options = null) => new(SlideManifest.Load(manifest), options);

    /// <summary>The options.</summary>
    public LoaderOptions Options { get; }

    /// <summary>The slides.</summary>
    public IReadOnlyList<SlideEntry> Slides => slides;

    /// <summary>The pool of open slides.</summary>
    public SlidePool Pool { get; }

    /// <summary>The class names by label index (known once the first epoch is planned, unless given).</summary>
    public IReadOnlyList<string> Classes => classes ?? [];

    /// <summary>Slides skipped so far (index, reason), with <see cref="LoaderOptions.SkipUnreadable"/>.</summary>
    public IReadOnlyDictionary<int, string> SkippedSlides => skipped;

    /// <summary>This rank's patches of <paramref name="epoch"/>, in reading order.</summary>
    public IReadOnlyList<LoaderPatch> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return EpochSampler.Plan(this, epoch);
    }

    /// <summary>This rank's batches of <paramref name="epoch"/>.</summary>
    public LoaderBatches Batches(int epoch, CancellationToken cancellationToken = default) => Batches(Epoch(epoch), cancellationToken);

    /// <summary>Batches of a given patch list (e.g. one imported with <see cref="PatchList"/>).</summary>
    public LoaderBatches Batches(IReadOnlyList<LoaderPatch> patches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patches);
        foreach (LoaderPatch p in patches)
        {
            if ((uint)p.Slide >= (uint)slides.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(patches), p.Slide, $"a patch names slide {p.Slide}; the dataset has {slides.Count}");
            }
        }

        var producer = new LoaderPatchProducer(this);
        var options = new Reader.Core.Batch.BatchOptions { BatchSize = Options.BatchSize, Workers = Options.Workers, Prefetch = Math.Max(1, Options.Prefetch), DropLast = Options.DropLast, Format = Options.Format };
        return new LoaderBatches(new Reader.Core.Batch.BatchPipeline<LoaderPatch, LoaderBatch>(
            producer, patches, (index, patch, e) => e as LoaderPatchException ?? new LoaderPatchException(index, slides[patch.Slide].Path, patch, e), options, cancellationToken));
    }

    /// <summary>The tissue mask of slide <paramref name="slide"/> (supplied or computed, cached), or null without masks.</summary>
    public TissueMask? MaskOf(int slide) => DataOf(slide).Mask;

    /// <summary>Reads one patch into <paramref name="destination"/> (H x W x C).</summary>
    public void ReadPatch(LoaderPatch patch, Span<byte> destination)
    {
        using SlidePool.SlideLease lease = Pool.Rent(patch.Slide);
        PatchGeometry geometry = DataOf(patch.Slide, lease.Slide).Geometry;
        int channels = Options.Format.BytesPerPixel();
        int bytes = geometry.Width * geometry.Height * channels;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, bytes, nameof(destination));
        if (!geometry.Resized)
        {
            lease.Slide.ReadRegion(patch.X, patch.Y, geometry.Level, geometry.Width, geometry.Height, destination[..bytes], Options.Format);
            return;
        }

        int sourceBytes = geometry.SourceWidth * geometry.SourceHeight * channels;
        byte[] source = System.Buffers.ArrayPool<byte>.Shared.Rent(sourceBytes);
        try
        {
            lease.Slide.ReadRegion(patch.X, patch.Y, geometry.Level, geometry.SourceWidth, geometry.SourceHeight, source.AsSpan(0, sourceBytes), Options.Format);
            Reader.Core.Loader.AreaResampler.Resample(source.AsSpan(0, sourceBytes), geometry.SourceWidth, geometry.SourceHeight, channels, destination[..bytes], geometry.Width, geometry.Height);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(source);
        }
    }

    /// <summary>Closes every slide.</summary>
    public void Dispose() => Pool.Dispose();

    internal SlideData DataOf(int slide)
    {
        using SlidePool.SlideLease lease = Pool.Rent(slide);
        return DataOf(slide, lease.Slide);
    }

    internal SlideData DataOf(int index, Slide slide) => data.GetOrAdd(index, _ => LoadData(index, slide));

    internal bool IsSkipped(int slide) => skipped.ContainsKey(slide);

    internal void Skip(int slide, Exception e)
    {
        if (skipped.TryAdd(slide, e.Message))
        {
            (Options.Log ?? (m => Console.Error.WriteLine(m)))(string.Create(CultureInfo.InvariantCulture, $"skipped slide {slide} ({slides[slide].Path}): {e.Message}"));
        }
    }

    internal int ClassOf(string? label)
    {
        if (label is null)
        {
            return -1;
        }

        lock (classGate)
        {
            if (classIndex is null)
            {
                throw new InvalidOperationException("classes are not known before the first epoch is planned");
            }

            return classIndex.TryGetValue(label, out int index) ? index
                : throw new ArgumentException($"label '{label}' is not one of the classes ({string.Join(", ", classIndex.Keys)}); list it in LoaderOptions.Classes");
        }
    }

    internal void DiscoverClasses(IEnumerable<string> found)
    {
        lock (classGate)
        {
            if (classIndex is null)
            {
                SetClasses([.. found.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
            }
        }
    }

    private void SetClasses(IReadOnlyList<string> names)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!map.TryAdd(names[i], i))
            {
                throw new ArgumentException($"class '{names[i]}' is listed twice", nameof(names));
            }
        }

        classes = names;
        classIndex = map;
    }

    private SlideData LoadData(int index, Slide slide)
    {
        SlideEntry entry = slides[index];
        PatchGeometry geometry = Options.Patch.Resolve(slide);
        TissueMask? mask = null;
        if (entry.Metadata is { } meta && meta.TryGetValue(Options.SuppliedMaskColumn, out string? maskPath) && !string.IsNullOrEmpty(maskPath))
        {
            string full = Path.IsPathRooted(maskPath) ? maskPath : Path.GetFullPath(maskPath, Path.GetDirectoryName(Path.GetFullPath(entry.Path)) ?? ".");
            mask = TissueMask.FromPng(full, Options.SuppliedMaskDownsample);
        }
        else if (Options.Tissue is { } tissue)
        {
            mask = TissueMask.Compute(slide, tissue);
        }

        SlideAnnotations? annotations = entry.Annotations is { } file ? SlideAnnotations.Load(file) : null;
        return new SlideData(geometry, mask, annotations, slide.Levels[0].Width, slide.Levels[0].Height);
    }

    internal sealed record SlideData(PatchGeometry Geometry, TissueMask? Mask, SlideAnnotations? Annotations, long Width0, long Height0);
}
