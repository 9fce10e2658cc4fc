using System.Globalization;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// Aperio SVS: ImageDescription starts with "Aperio". Levels are the tiled images of the main
/// chain (Aperio does not flag them as reduced); of the others, IFD 1 is the thumbnail and the rest
/// are named by the first word of their description's second line ("label", "macro"). The first
/// description's "|"-separated key = value pairs become aperio.* properties; MPP and AppMag give
/// openslide.mpp-x/-y and openslide.objective-power, as OpenSlide derives them.
/// </summary>
internal static class AperioFormat
{
    public static bool Matches(TiffDirectory first)
    {
        string? description = first.GetString(TiffTag.ImageDescription);
        return description is not null && description.StartsWith("Aperio", StringComparison.Ordinal) && first.Has(TiffTag.TileWidth);
    }

    public static TiffLayout Open(TiffContainer tiff)
    {
        var images = tiff.Directories.Select(TiffImage.Describe).ToList();
        var levels = new List<TiffImage>();
        var layout = new TiffLayout
        {
            Vendor = "aperio",
            Levels = levels,
            PropertyDirectory = tiff.Directories[0],
        };

        for (int i = 0; i < images.Count; i++)
        {
            TiffImage image = images[i];
            if (image.IsTiled)
            {
                levels.Add(image);
                continue;
            }

            string? name = i == 1 ? "thumbnail" : NameFromDescription(image.Directory.GetString(TiffTag.ImageDescription));
            if (!string.IsNullOrEmpty(name))
            {
                layout.AssociatedImages[name] = image;
            }
        }

        levels.Sort((a, b) => b.Width.CompareTo(a.Width));
        TiffProperties.AddTiffTags(layout.Properties, tiff.Directories[0]);
        AddDescriptionProperties(layout.Properties, tiff.Directories[0].GetString(TiffTag.ImageDescription) ?? string.Empty);
        AddThumbnailIccSize(layout, tiff.Directories[0]);
        return layout;
    }

    /// <summary>
    /// OpenSlide 4 gives the thumbnail the main image's ICC profile when both descriptions name the same
    /// "ICC Profile", and reports its size as openslide.associated.thumbnail.icc-size.
    /// </summary>
    private static void AddThumbnailIccSize(TiffLayout layout, TiffDirectory main)
    {
        ulong iccBytes = main.CountOf(TiffTag.IccProfile);
        if (iccBytes == 0 || !layout.AssociatedImages.TryGetValue("thumbnail", out TiffImage? thumbnail)
            || !layout.Properties.TryGetValue("aperio.ICC Profile", out string? mainProfile))
        {
            return;
        }

        var thumbnailProperties = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AddDescriptionProperties(thumbnailProperties, thumbnail.Directory.GetString(TiffTag.ImageDescription) ?? string.Empty);
        if (thumbnailProperties.TryGetValue("aperio.ICC Profile", out string? thumbnailProfile) && thumbnailProfile == mainProfile)
        {
            layout.Properties["openslide.associated.thumbnail.icc-size"] = iccBytes.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>"Aperio Image Library ...\nlabel 387x463" gives "label".</summary>
    private static string? NameFromDescription(string? description)
    {
        if (description is null)
        {
            return null;
        }

        string[] lines = description.Split('\r', '\n');
        return lines.Length < 2 ? null : lines[1].Split(' ')[0];
    }

    private static void AddDescriptionProperties(SortedDictionary<string, string> properties, string description)
    {
        string[] parts = description.Split('|');
        for (int i = 1; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            string key = (eq < 0 ? parts[i] : parts[i][..eq]).Trim();
            string value = eq < 0 ? string.Empty : parts[i][(eq + 1)..].Trim();
            properties["aperio." + key] = value;
        }

        if (properties.TryGetValue("aperio.MPP", out string? mpp) && double.TryParse(mpp, NumberStyles.Float, CultureInfo.InvariantCulture, out double micrometres))
        {
            properties["openslide.mpp-x"] = TiffProperties.FormatDouble(micrometres);
            properties["openslide.mpp-y"] = TiffProperties.FormatDouble(micrometres);
        }

        if (properties.TryGetValue("aperio.AppMag", out string? mag) && double.TryParse(mag, NumberStyles.Float, CultureInfo.InvariantCulture, out double power))
        {
            properties["openslide.objective-power"] = TiffProperties.FormatDouble(power);
        }
    }
}
