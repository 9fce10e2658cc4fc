using Reader.Core.Decode;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>What a TIFF format driver found in a file: its levels (largest first), associated images and properties.</summary>
internal sealed class TiffLayout
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

/// <summary>Turns a TIFF driver's findings into the reader's <see cref="SlideLayout"/>.</summary>
internal static class TiffLayoutExtensions
{
    /// <summary>
    /// Levels and associated images become tile sources (levels checked now: encoding and tile index), and the
    /// properties every TIFF slide gets are added: quickhash-1 (reads the smallest level once, at open) and
    /// the ICC profile of the full-resolution image.
    /// </summary>
    public static SlideLayout ToSlideLayout(this TiffLayout tiff, TileCodecRegistry codecs)
    {
        var levels = new ITileSource[tiff.Levels.Count];
        for (int i = 0; i < levels.Length; i++)
        {
            var level = new TiffTileSource(tiff.Levels[i], codecs);
            level.Validate();
            levels[i] = level;
        }

        TiffDirectory baseDirectory = tiff.Levels[0].Directory;
        var layout = new SlideLayout
        {
            Vendor = tiff.Vendor,
            Levels = levels,
            IccProfile = baseDirectory.GetBytes(TiffTag.IccProfile),
            Orientation = (int)Math.Clamp(baseDirectory.GetInteger(TiffTag.Orientation, 1), 0, 65535),
        };
        foreach ((string name, TiffImage image) in tiff.AssociatedImages)
        {
            layout.AssociatedImages[name] = new TiffTileSource(image, codecs);
        }

        foreach ((string key, string value) in tiff.Properties)
        {
            layout.Properties[key] = value;
        }

        if (tiff.HasQuickHash && QuickHash.Compute(tiff.Levels[^1], tiff.PropertyDirectory, tiff.PropertyDirectory.Container.Source.ContentIdentity) is { } hash)
        {
            layout.Properties["openslide.quickhash-1"] = hash;
        }

        return layout;
    }
}
