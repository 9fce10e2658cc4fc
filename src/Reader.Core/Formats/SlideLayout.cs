using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>What a format driver found in a file: its levels (largest first), associated images and properties.</summary>
internal sealed class SlideLayout
{
    public required string Vendor { get; init; }

    public required IReadOnlyList<TiffImage> Levels { get; init; }

    public Dictionary<string, TiffImage> AssociatedImages { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Out-of-bounds fill the format implies (OpenSlide's background colour), if any.</summary>
    public string? BackgroundColor { get; init; }
}
