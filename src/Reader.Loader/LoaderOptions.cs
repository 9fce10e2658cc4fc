using Reader.Core;

namespace Reader.Loader;

/// <summary>Everything a <see cref="SlideDataset"/> needs besides its slides.</summary>
public sealed record LoaderOptions
{
    /// <summary>Patch size and resolution (default 224 x 224 at level 0).</summary>
    public PatchShape Patch { get; init; } = new();

    /// <summary>Tissue masks computed per slide with these options; null samples everywhere.</summary>
    public TissueOptions? Tissue { get; init; }

    /// <summary>
    /// Supplied masks instead of computed ones: a manifest column naming a PNG per slide (read with
    /// <see cref="SuppliedMaskDownsample"/>). Slides without a value fall back to <see cref="Tissue"/>.
    /// </summary>
    public string SuppliedMaskColumn { get; init; } = "mask";

    /// <summary>Level-0 pixels per pixel of supplied masks.</summary>
    public double SuppliedMaskDownsample { get; init; } = 64;

    /// <summary>The least tissue fraction of a kept patch (0-1), when masks are used.</summary>
    public double MinTissue { get; init; } = 0.5;

    /// <summary>How annotations label patches (slides with an annotation file only).</summary>
    public AnnotationLabelling Labelling { get; init; } = AnnotationLabelling.Default;

    /// <summary>Patch choice, balancing, seed, shuffling and rank sharding.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>
    /// The class names, in label-index order; null takes the sorted names found (slide labels, annotation classes,
    /// the background class) when the first epoch is planned.
    /// </summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Patches per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Reading threads.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches read ahead of the consumer.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Drop a last, short batch.</summary>
    public bool DropLast { get; init; }

    /// <summary>Rgb24 (default) or Rgba32.</summary>
    public PixelFormat Format { get; init; } = PixelFormat.Rgb24;

    /// <summary>
    /// A slide that cannot be opened, masked or read is logged (<see cref="Log"/>) and skipped, instead of ending the
    /// epoch: at planning it gives no patches; while reading, its patches come back with label -1 (PyTorch's
    /// ignore_index convention) and <see cref="LoaderBatch.Skipped"/> set, so batch shapes never change.
    /// </summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>Where skipped slides are reported (default: standard error).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Slides kept open at once (see <see cref="SlidePool"/>).</summary>
    public int OpenSlides { get; init; } = 64;

    /// <summary>Tissue masks and annotation sets kept in memory at once (least recently used go first).</summary>
    public int CachedSlideData { get; init; } = 256;

    /// <summary>Options every slide is opened with (cache, backend, remote...).</summary>
    public SlideOptions? SlideOptions { get; init; }
}
