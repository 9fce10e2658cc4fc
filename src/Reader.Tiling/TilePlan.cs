using Reader.Core;
using Reader.Core.Loader;
using Reader.Loader;

namespace Reader.Tiling;

/// <summary>
/// The patches of one slide, chosen exactly as the training loader's grid sampler chooses them: the loader's
/// <see cref="PatchShape"/> (a level, or a target mpp read from the closest finer level and area-averaged) and
/// <see cref="PatchGrid"/> (row-major origins every stride, patches wholly inside the slide, tissue-filtered by the
/// loader's <see cref="TissueMask"/>, labelled by its <see cref="SlideAnnotations"/>). Patches are written in this order.
/// </summary>
internal sealed class TilePlan
{
    private TilePlan(PatchGeometry geometry, IReadOnlyList<GridPatch> patches)
    {
        Geometry = geometry;
        Patches = patches;
    }

    public PatchGeometry Geometry { get; }

    public IReadOnlyList<GridPatch> Patches { get; }

    /// <summary>Resolves the shape, loads or computes the mask and annotations, and enumerates the grid.</summary>
    public static TilePlan Of(Slide slide, TileInput input, TileOptions options)
    {
        var shape = new PatchShape
        {
            Width = options.Size,
            Height = options.Size,
            Level = options.Level,
            Resolution = options.Mpp is { } mpp ? new PatchResolution { Mpp = mpp, FallbackMpp = options.FallbackMpp } : null,
        };
        PatchGeometry geometry = shape.Resolve(slide);
        TissueMask? mask = input.Mask is { } png ? TissueMask.FromPng(png, options.MaskDownsample)
            : options.Tissue is { } tissue ? TissueMask.Compute(slide, tissue)
            : null;
        SlideAnnotations? annotations = AnnotationsOf(input, options) is { } file ? SlideAnnotations.Load(file) : null;
        var filter = new GridFilter
        {
            Tissue = mask,
            MinTissue = mask is null ? 0 : options.MinTissue,
            Annotations = annotations,
            Labelling = options.Labelling,
            SlideLabel = input.Label,
        };
        return new TilePlan(geometry, [.. PatchGrid.Enumerate(slide, geometry, options.StrideOrSize, filter)]);
    }

    /// <summary>The slide's annotation file: the manifest's, else <c>STEM.geojson</c> in the annotations folder if it exists.</summary>
    public static string? AnnotationsOf(TileInput input, TileOptions options)
    {
        if (input.Annotations is { } listed)
        {
            return listed;
        }

        if (options.AnnotationsFolder is { } folder)
        {
            string candidate = Path.Combine(Path.GetFullPath(folder), Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(input.FullPath)) + ".geojson");
            return File.Exists(candidate) ? candidate : null;
        }

        return null;
    }

    /// <summary>Reads one patch into <paramref name="rgb"/> (Width x Height x 3), as the loader's host batches do.</summary>
    public void Read(Slide slide, GridPatch patch, Span<byte> rgb, ref byte[]? scratch)
    {
        PatchGeometry g = Geometry;
        if (!g.Resized)
        {
            slide.ReadRegion(patch.X, patch.Y, g.Level, g.Width, g.Height, rgb, PixelFormat.Rgb24);
            return;
        }

        scratch ??= new byte[g.SourceWidth * g.SourceHeight * 3];
        slide.ReadRegion(patch.X, patch.Y, g.Level, g.SourceWidth, g.SourceHeight, scratch, PixelFormat.Rgb24);
        AreaResampler.Resample(scratch, g.SourceWidth, g.SourceHeight, 3, rgb, g.Width, g.Height);
    }
}
