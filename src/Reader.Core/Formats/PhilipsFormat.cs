using System.Globalization;
using System.Xml;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// Philips TIFF (from the public format description): Software starts with "Philips" and the
/// ImageDescription is XML whose root is a DataObject of type DPUfsImport. Levels are the tiled
/// images; attributes of the XML's top-level objects become philips.* properties, and the first
/// DICOM_PIXEL_SPACING (in millimetres, row then column) gives openslide.mpp-y/-x.
/// Not supported: the label and macro images embedded in the XML, and Philips' level sizes that
/// differ from the stored ones.
/// </summary>
internal static class PhilipsFormat
{
    public static bool Matches(TiffDirectory first)
    {
        string? software = first.GetString(TiffTag.Software);
        string? description = first.GetString(TiffTag.ImageDescription);
        return software is not null && software.StartsWith("Philips", StringComparison.Ordinal)
            && description is not null && description.Contains("<DataObject", StringComparison.Ordinal)
            && description.Contains("DPUfsImport", StringComparison.Ordinal);
    }

    public static TiffLayout Open(TiffContainer tiff)
    {
        var images = tiff.Directories.Select(TiffImage.Describe).ToList();
        var levels = images.Where(i => i.IsTiled && !i.IsMask).OrderByDescending(i => i.Width).ToList();
        if (levels.Count == 0)
        {
            throw new CorruptSlideException(tiff.Path, null, "Philips TIFF without tiled images");
        }

        var layout = new TiffLayout { Vendor = "philips", Levels = levels, PropertyDirectory = tiff.Directories[0] };
        TiffProperties.AddTiffTags(layout.Properties, tiff.Directories[0]);
        ReadXml(layout.Properties, tiff.Directories[0].GetString(TiffTag.ImageDescription)!);
        return layout;
    }

    private static void ReadXml(SortedDictionary<string, string> properties, string xml)
    {
        var document = new XmlDocument { XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document.Load(reader);
        }
        catch (XmlException)
        {
            return; // a broken description leaves the properties out, not the pixels
        }

        XmlElement? root = document.DocumentElement;
        if (root is null)
        {
            return;
        }

        foreach (XmlElement attribute in root.ChildNodes.OfType<XmlElement>().Where(e => e.Name == "Attribute"))
        {
            string? name = attribute.GetAttribute("Name");
            if (!string.IsNullOrEmpty(name) && attribute.ChildNodes.OfType<XmlElement>().Any() is false)
            {
                properties["philips." + name] = attribute.InnerText.Trim().Trim('"');
            }
        }

        XmlNode? spacing = document.SelectSingleNode("//Attribute[@Name='DICOM_PIXEL_SPACING']");
        if (spacing is not null)
        {
            string[] values = spacing.InnerText.Replace("\"", string.Empty, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (values.Length >= 2
                && double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double rows)
                && double.TryParse(values[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double columns))
            {
                properties["openslide.mpp-x"] = TiffProperties.FormatDouble(columns * 1000);
                properties["openslide.mpp-y"] = TiffProperties.FormatDouble(rows * 1000);
            }
        }
    }
}
