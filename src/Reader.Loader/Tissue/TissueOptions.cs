namespace Reader.Loader;

/// <summary>How a slide's tissue mask is computed.</summary>
public sealed record TissueOptions
{
    /// <summary>
    /// The mask's longer side in pixels (at most): the coarsest level at least this large is read and area-averaged
    /// down by an integer factor to fit. 1024 keeps a 100k-pixel slide's mask cells under 100 level-0 pixels.
    /// </summary>
    public int MaskSize { get; init; } = 1024;

    /// <summary>
    /// A fixed saturation threshold (0-255); null (the default) takes Otsu's threshold of the slide's saturation
    /// histogram. A pixel is tissue when its saturation is above the threshold.
    /// </summary>
    public int? SaturationThreshold { get; init; }

    /// <summary>
    /// The lowest threshold Otsu may pick: a blank slide has only noise in its histogram, and Otsu would split the
    /// noise; 20 (of 255) is the floor common Python tools use in effect.
    /// </summary>
    public int MinimumThreshold { get; init; } = 20;

    /// <summary>Radius in mask pixels of the square closing (fills small holes) applied first; 0 skips it.</summary>
    public int CloseRadius { get; init; } = 2;

    /// <summary>Radius in mask pixels of the square opening (removes specks) applied after the closing; 0 skips it.</summary>
    public int OpenRadius { get; init; } = 2;

    /// <summary>The defaults.</summary>
    public static TissueOptions Default { get; } = new();
}
