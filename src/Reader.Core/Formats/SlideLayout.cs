namespace Reader.Core.Formats;

/// <summary>
/// What a format driver found in a slide: its levels (largest first), associated images, vendor properties
/// (under OpenSlide's names: aperio.*, openslide.mpp-x, ...) and ICC profile. The reader adds the properties
/// every slide gets (openslide.vendor, level geometry, associated image sizes, icc-size).
/// </summary>
public sealed class SlideLayout
{
    /// <summary>The vendor as OpenSlide names it ("aperio", "generic-tiff").</summary>
    public required string Vendor { get; init; }

    /// <summary>Pyramid levels, largest first; at least one.</summary>
    public required IReadOnlyList<ITileSource> Levels { get; init; }

    /// <summary>Associated images (thumbnail, label, macro) by name.</summary>
    public IDictionary<string, ITileSource> AssociatedImages { get; } = new Dictionary<string, ITileSource>(StringComparer.Ordinal);

    /// <summary>Vendor and format properties.</summary>
    public IDictionary<string, string> Properties { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The embedded ICC profile, or null.</summary>
    public byte[]? IccProfile { get; init; }

    /// <summary>The display orientation of the full-resolution image (TIFF Orientation; 1 = as stored).</summary>
    public int Orientation { get; init; } = 1;
}
