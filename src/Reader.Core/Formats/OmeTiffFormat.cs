using System.Globalization;
using System.Xml;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// OME-TIFF: the first ImageDescription is OME-XML. The pyramid is the first image plane (IFD 0)
/// and its SubIFDs; the other IFDs are further planes (channels, z, time), not levels. The first
/// Pixels element's PhysicalSizeX/Y (micrometres unless stated) give openslide.mpp-x/-y.
/// </summary>
internal static class OmeTiffFormat
{
    public static bool Matches(TiffDirectory first)
    {
        string? description = first.GetString(TiffTag.ImageDescription);
        return description is not null && description.Contains("<OME", StringComparison.Ordinal)
            && description.Contains("openmicroscopy.org", StringComparison.Ordinal);
    }

    public static TiffLayout Open(TiffContainer tiff)
    {
        TiffDirectory first = tiff.Directories[0];
        TiffImage baseLevel = TiffImage.Describe(first);
        var reduced = first.SubDirectories.Select(TiffImage.Describe).Where(i => !i.IsMask);
        var layout = new TiffLayout
        {
            Vendor = "ome-tiff",
            Levels = SlideFormats.OrderLevels(baseLevel, reduced),
            PropertyDirectory = first,
            HasQuickHash = false,
        };
        TiffProperties.AddTiffTags(layout.Properties, first);
        ReadPhysicalSize(layout.Properties, first.GetString(TiffTag.ImageDescription)!);
        return layout;
    }

    private static void ReadPhysicalSize(SortedDictionary<string, string> properties, string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "Pixels")
                {
                    continue;
                }

                Set(properties, "openslide.mpp-x", reader.GetAttribute("PhysicalSizeX"), reader.GetAttribute("PhysicalSizeXUnit"));
                Set(properties, "openslide.mpp-y", reader.GetAttribute("PhysicalSizeY"), reader.GetAttribute("PhysicalSizeYUnit"));
                return;
            }
        }
        catch (XmlException)
        {
            // A broken description leaves the properties out, not the pixels.
        }
    }

    private static void Set(SortedDictionary<string, string> properties, string name, string? size, string? unit)
    {
        if (size is null || !double.TryParse(size, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return;
        }

        double scale = unit switch
        {
            null or "µm" or "um" => 1,
            "nm" => 1e-3,
            "mm" => 1e3,
            "cm" => 1e4,
            _ => double.NaN,
        };
        if (!double.IsNaN(scale))
        {
            properties[name] = TiffProperties.FormatDouble(value * scale);
        }
    }
}
