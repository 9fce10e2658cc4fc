using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>What a format driver found in a file: its levels (largest first), associated images and properties.</summary>
internal sealed class SlideLayout
{
    public required string Vendor { get; init; }

    public required IReadOnlyList<TiffImage> Levels { get; init; }

    /// <summary>The directory whose tags become tiff.* properties (OpenSlide uses directory 0).</summary>
    public required TiffDirectory PropertyDirectory { get; init; }

    public Dictionary<string, TiffImage> AssociatedImages { get; } = new(StringComparer.Ordinal);

    /// <summary>Vendor properties (aperio.*, philips.*, openslide.mpp-x, ...), besides the ones every slide gets.</summary>
    public SortedDictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether OpenSlide computes openslide.quickhash-1 for this format.</summary>
    public bool HasQuickHash { get; init; } = true;
}
