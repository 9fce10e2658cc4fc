using System.Globalization;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// Aperio SVS: ImageDescription starts with "Aperio". Levels are the tiled images of the main
/// chain (Aperio does not flag them as reduced); the stripped ones are the thumbnail (the
/// second IFD), the label and the macro. The description's "|"-separated key = value pairs
/// become aperio.* properties.
/// </summary>
internal static class AperioFormat
{
    public static bool Matches(TiffDirectory first)
    {
        string? description = first.GetString(TiffTag.ImageDescription);
        return description is not null && description.StartsWith("Aperio", StringComparison.Ordinal);
    }

    public static SlideLayout Open(TiffContainer tiff)
    {
        var images = tiff.Directories.Select(TiffImage.Describe).ToList();
        if (!images[0].IsTiled)
        {
            throw new CorruptSlideException(tiff.Path, "IFD 0", "Aperio slide whose first image is not tiled");
        }

        var levels = new List<TiffImage>();
        var layout = new SlideLayout
        {
            Vendor = "aperio",
            Levels = levels,
            BackgroundColor = "FFFFFF",
        };

        for (int i = 0; i < images.Count; i++)
        {
            TiffImage image = images[i];
            if (image.IsTiled && !image.IsMask && (i == 0 || image.Width <= images[0].Width))
            {
                levels.Add(image);
                continue;
            }

            string description = image.Directory.GetString(TiffTag.ImageDescription) ?? string.Empty;
            string? name = i == 1 ? "thumbnail"
                : description.Contains("label", StringComparison.OrdinalIgnoreCase) ? "label"
                : description.Contains("macro", StringComparison.OrdinalIgnoreCase) ? "macro"
                : null;
            if (name is not null && !layout.AssociatedImages.ContainsKey(name))
            {
                layout.AssociatedImages[name] = image;
            }
        }

        levels.Sort((a, b) => b.Width.CompareTo(a.Width));
        TiffProperties.AddTiffTags(layout.Properties, images[0].Directory);
        AddDescriptionProperties(layout.Properties, images[0].Directory.GetString(TiffTag.ImageDescription) ?? string.Empty);
        return layout;
    }

    private static void AddDescriptionProperties(SortedDictionary<string, string> properties, string description)
    {
        string[] parts = description.Split('|');
        for (int i = 1; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            string key = parts[i][..eq].Trim();
            string value = parts[i][(eq + 1)..].Trim();
            if (key.Length > 0)
            {
                properties["aperio." + key] = value;
            }
        }

        if (properties.TryGetValue("aperio.MPP", out string? mpp) && double.TryParse(mpp, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            properties["openslide.mpp-x"] = mpp;
            properties["openslide.mpp-y"] = mpp;
        }

        if (properties.TryGetValue("aperio.AppMag", out string? mag) && double.TryParse(mag, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            properties["openslide.objective-power"] = mag;
        }

        properties["openslide.comment"] = description;
    }
}
