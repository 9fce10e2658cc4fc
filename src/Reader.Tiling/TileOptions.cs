using System.Globalization;
using System.Text;
using Reader.Loader;

namespace Reader.Tiling;

/// <summary>What <c>wsi tile</c> writes per slide.</summary>
public enum TileFormat
{
    /// <summary>WebDataset tar shards: one image and one JSON sidecar per patch, with a Parquet index per shard.</summary>
    WebDataset,

    /// <summary>A DeepZoom pyramid (<c>.dzi</c> + <c>_files/level/col_row.ext</c>) with a Parquet index of its tiles.</summary>
    Dzi,
}

/// <summary>How patch and tile images are encoded.</summary>
public enum PatchEncoding
{
    /// <summary>Baseline JPEG through libjpeg-turbo (4:2:0 YCbCr); needs the native shim.</summary>
    Jpeg,

    /// <summary>PNG (lossless).</summary>
    Png,
}

/// <summary>
/// The options that decide what a tiling run writes. Everything here is part of each slide's done marker, so a rerun
/// with other options redoes the slide; <see cref="Threads"/> is not (it does not change a byte).
/// </summary>
public sealed record TileOptions
{
    public TileFormat Format { get; init; } = TileFormat.WebDataset;

    /// <summary>Target microns per pixel; when null, patches are read at <see cref="Level"/>.</summary>
    public double? Mpp { get; init; }

    /// <summary>The pyramid level patches are read at when <see cref="Mpp"/> is null.</summary>
    public int Level { get; init; }

    /// <summary>The level-0 mpp assumed for slides that record none (only with <see cref="Mpp"/>).</summary>
    public double? FallbackMpp { get; init; }

    /// <summary>Patch width and height in output pixels (WebDataset).</summary>
    public int Size { get; init; } = 256;

    /// <summary>Grid step in output pixels (WebDataset); null means <see cref="Size"/> (no overlap).</summary>
    public int? Stride { get; init; }

    public PatchEncoding Encoding { get; init; } = PatchEncoding.Jpeg;

    /// <summary>JPEG quality (1-100).</summary>
    public int Quality { get; init; } = 90;

    /// <summary>At most this many patches per tar shard.</summary>
    public int PatchesPerShard { get; init; } = 10_000;

    /// <summary>A tar shard is closed once it holds at least this many bytes.</summary>
    public long ShardBytes { get; init; } = 1L << 30;

    /// <summary>DeepZoom tile size (as OpenSlide's deepzoom and vips dzsave: 254).</summary>
    public int DziTileSize { get; init; } = 254;

    /// <summary>DeepZoom tile overlap (1 by default, as OpenSlide's deepzoom and vips dzsave).</summary>
    public int DziOverlap { get; init; } = 1;

    /// <summary>Tissue masks computed per slide (the loader's Otsu on saturation) with these options; null keeps every grid position (a manifest <c>mask</c> PNG still applies).</summary>
    public TissueOptions? Tissue { get; init; }

    /// <summary>The least tissue fraction of a kept patch (0-1), where a mask applies.</summary>
    public double MinTissue { get; init; } = 0.5;

    /// <summary>Level-0 pixels per pixel of supplied mask PNGs.</summary>
    public double MaskDownsample { get; init; } = 64;

    /// <summary>A folder of QuPath GeoJSON exports named after the slides (<c>STEM.geojson</c>), for slides the manifest gives no annotations.</summary>
    public string? AnnotationsFolder { get; init; }

    /// <summary>How annotations label patches (the loader's rules: by centre or coverage, the background class).</summary>
    public AnnotationLabelling Labelling { get; init; } = AnnotationLabelling.Default;

    /// <summary>Threads reading and encoding the patches of one slide (output order does not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    internal int StrideOrSize => Stride ?? Size;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Require(Size is > 0 and <= 16384, $"size must be 1-16384 (got {Size})");
        Require(StrideOrSize is > 0 and <= 1 << 20, $"stride must be positive (got {StrideOrSize})");
        Require(Level >= 0, $"level must be >= 0 (got {Level})");
        Require(Mpp is null || (Mpp > 0 && double.IsFinite(Mpp.Value)), $"mpp must be positive (got {Mpp})");
        Require(FallbackMpp is null || FallbackMpp > 0, "fallback mpp must be positive");
        Require(Quality is >= 1 and <= 100, $"quality must be 1-100 (got {Quality})");
        Require(PatchesPerShard > 0, "patches per shard must be positive");
        Require(ShardBytes > 0, "shard bytes must be positive");
        Require(DziTileSize is > 0 and <= 8192, $"DeepZoom tile size must be 1-8192 (got {DziTileSize})");
        Require(DziOverlap >= 0 && DziOverlap < DziTileSize, $"DeepZoom overlap must be 0..tile size-1 (got {DziOverlap})");
        Require(Threads > 0, "threads must be positive");
        Require(MinTissue is >= 0 and <= 1, $"min tissue must be 0-1 (got {MinTissue})");
        Require(MaskDownsample > 0, "mask downsample must be positive");
        Require(Labelling.MinCoverage is >= 0 and <= 1, "min coverage must be 0-1");
    }

    /// <summary>
    /// The output-deciding options as one canonical line (recorded in done markers and the run file): equal strings,
    /// equal output.
    /// </summary>
    internal string Fingerprint()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"format={Format};encoding={Encoding};quality={Quality}");
        if (Format == TileFormat.WebDataset)
        {
            text.Append(CultureInfo.InvariantCulture, $";size={Size};stride={StrideOrSize};shard-patches={PatchesPerShard};shard-bytes={ShardBytes}");
            text.Append(Mpp is { } m ? string.Create(CultureInfo.InvariantCulture, $";mpp={m:R};fallback-mpp={FallbackMpp?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}") : string.Create(CultureInfo.InvariantCulture, $";level={Level}"));
            text.Append(Tissue is { } t
                ? string.Create(CultureInfo.InvariantCulture, $";tissue=mask-size:{t.MaskSize},threshold:{t.SaturationThreshold?.ToString(CultureInfo.InvariantCulture) ?? "otsu"},min-threshold:{t.MinimumThreshold},close:{t.CloseRadius},open:{t.OpenRadius}")
                : ";tissue=none");
            text.Append(CultureInfo.InvariantCulture, $";min-tissue={MinTissue:R};mask-downsample={MaskDownsample:R}");
            text.Append(CultureInfo.InvariantCulture, $";labels={Labelling.Rule},min-coverage:{Labelling.MinCoverage:R},background:{Labelling.Background ?? "(none)"}");
            text.Append(";annotations-folder=").Append(AnnotationsFolder is null ? "none" : System.IO.Path.GetFullPath(AnnotationsFolder));
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $";dzi-tile={DziTileSize};dzi-overlap={DziOverlap}");
        }

        return text.ToString();
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
