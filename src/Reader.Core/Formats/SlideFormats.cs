using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// Format detection by content, never by file extension, in a fixed order: vendors we refuse
/// explicitly, then Aperio SVS, Philips TIFF, OME-TIFF, and the generic tiled TIFF.
/// </summary>
internal static class SlideFormats
{
    public static SlideLayout Detect(TiffContainer tiff)
    {
        TiffDirectory first = tiff.Directories[0];
        if (first.Has(TiffTag.NdpiFormatFlag))
        {
            throw new UnsupportedFormatException(tiff.Path, null, "Hamamatsu NDPI is not supported yet");
        }

        if (AperioFormat.Matches(first))
        {
            return AperioFormat.Open(tiff);
        }

        if (PhilipsFormat.Matches(first))
        {
            return PhilipsFormat.Open(tiff);
        }

        if (OmeTiffFormat.Matches(first))
        {
            return OmeTiffFormat.Open(tiff);
        }

        return GenericTiffFormat.Open(tiff);
    }

    /// <summary>Sorts level candidates largest first and drops any larger than the first.</summary>
    internal static List<TiffImage> OrderLevels(TiffImage baseLevel, IEnumerable<TiffImage> reduced)
    {
        var levels = new List<TiffImage> { baseLevel };
        levels.AddRange(reduced
            .Where(i => i.Width <= baseLevel.Width && i.Height <= baseLevel.Height && !ReferenceEquals(i, baseLevel))
            .OrderByDescending(i => i.Width)
            .ThenByDescending(i => i.Height));
        return levels;
    }
}
