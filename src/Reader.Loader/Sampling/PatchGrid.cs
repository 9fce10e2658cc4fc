using Reader.Core;

namespace Reader.Loader;

/// <summary>A patch position on a slide with its tissue fraction (1 without a mask) and label (null: none).</summary>
public readonly record struct GridPatch(long X, long Y, double Tissue, string? Label);

/// <summary>Which grid patches are kept: tissue fraction, annotations and their labelling, the slide label.</summary>
public sealed record GridFilter
{
    /// <summary>The slide's tissue mask; null keeps every position.</summary>
    public TissueMask? Tissue { get; init; }

    /// <summary>The least tissue fraction kept (0-1).</summary>
    public double MinTissue { get; init; } = 0.5;

    /// <summary>The slide's annotations; null labels every patch with <see cref="SlideLabel"/>.</summary>
    public SlideAnnotations? Annotations { get; init; }

    /// <summary>How annotations label patches.</summary>
    public AnnotationLabelling Labelling { get; init; } = AnnotationLabelling.Default;

    /// <summary>The label of patches that annotations do not label (the slide-level label).</summary>
    public string? SlideLabel { get; init; }
}

/// <summary>
/// The patches of a regular grid over a slide: origins every stride (level-0 pixels: the output stride times the
/// output-to-level-0 scale), patches lying wholly inside level 0, in row-major order, filtered by tissue and labelled by
/// annotations. The grid starts at (0, 0) so that patches of the same shape line up across slides and runs.
/// </summary>
public static class PatchGrid
{
    /// <summary>The grid of <paramref name="geometry"/>-sized patches every <paramref name="stride"/> output pixels.</summary>
    public static IEnumerable<GridPatch> Enumerate(Slide slide, PatchGeometry geometry, int stride, GridFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        return PatchGridCore.Enumerate(slide.Levels[0].Width, slide.Levels[0].Height, geometry, stride, filter ?? new GridFilter());
    }

    /// <summary>Grid columns and rows for a level-0 size.</summary>
    public static (long Columns, long Rows) Count(long width0, long height0, PatchGeometry geometry, int stride)
    {
        double sx = stride * geometry.ExtentX / geometry.Width, sy = stride * geometry.ExtentY / geometry.Height;
        long columns = width0 < geometry.ExtentX ? 0 : (long)Math.Floor(((width0 - geometry.ExtentX) / sx) + 1e-9) + 1;
        long rows = height0 < geometry.ExtentY ? 0 : (long)Math.Floor(((height0 - geometry.ExtentY) / sy) + 1e-9) + 1;
        return (columns, rows);
    }

}

/// <summary>The grid without an open slide (its level-0 size is enough), for planners that cache slide data.</summary>
internal static class PatchGridCore
{
    public static IEnumerable<GridPatch> Enumerate(long width0, long height0, PatchGeometry geometry, int stride, GridFilter filter)
    {
        (long columns, long rows) = PatchGrid.Count(width0, height0, geometry, stride);
        double sx = stride * geometry.ExtentX / geometry.Width, sy = stride * geometry.ExtentY / geometry.Height;
        long ex = (long)Math.Round(geometry.ExtentX), ey = (long)Math.Round(geometry.ExtentY);
        for (long r = 0; r < rows; r++)
        {
            long y = (long)Math.Round(r * sy);
            for (long c = 0; c < columns; c++)
            {
                long x = (long)Math.Round(c * sx);
                double tissue = filter.Tissue?.Fraction(x, y, ex, ey) ?? 1;
                if (tissue < filter.MinTissue)
                {
                    continue;
                }

                string? label = filter.Annotations is null ? filter.SlideLabel : filter.Annotations.LabelOf(x, y, ex, ey, filter.Labelling);
                if (filter.Annotations is not null && label is null)
                {
                    continue; // no class claims it and there is no background class: not sampled
                }

                yield return new GridPatch(x, y, tissue, label);
            }
        }
    }
}
