using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// The properties OpenSlide 4.0.1 gives a DICOM slide: every element of the file meta information and metadata of the
/// largest level's first instance under dicom.Keyword (dicom.Keyword[i] for several values, dicom.Sequence[i].Keyword
/// inside items; unknown and private tags, binary values and group lengths are left out), then openslide.mpp-x/-y
/// from PixelSpacing (millimetres, row spacing first), objective power, barcode, and quickhash-1 from the series UID.
/// </summary>
internal static class DicomProperties
{
    public static void Add(IDictionary<string, string> properties, DicomInstance instance)
    {
        AddDataSet(properties, "dicom", instance.FileMeta, 0);
        AddDataSet(properties, "dicom", instance.Metadata, 0);
        CopyDouble(properties, "dicom.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing[0]", 1000, "openslide.mpp-y");
        CopyDouble(properties, "dicom.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing[1]", 1000, "openslide.mpp-x");
        CopyDouble(properties, "dicom.OpticalPathSequence[0].ObjectiveLensPower", 1, "openslide.objective-power");
        if (properties.TryGetValue("dicom.BarcodeValue", out string? barcode))
        {
            properties["openslide.barcode"] = barcode;
        }
    }

    /// <summary>openslide.quickhash-1 of a DICOM series: SHA-256 of its SeriesInstanceUID and a terminating NUL.</summary>
    public static string QuickHash(string seriesUid)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(seriesUid + "\0");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>A number as OpenSlide parses property text (a comma taken for a decimal point; the whole text must be the number), or null.</summary>
    public static double? ParseDouble(string text)
    {
        string canonical = text.Replace(',', '.');
        return canonical.Length > 0
            && double.TryParse(canonical, NumberStyles.AllowLeadingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double value)
            && double.IsFinite(value)
            ? value
            : null;
    }

    private static void AddDataSet(IDictionary<string, string> properties, string prefix, DicomDataSet set, int depth)
    {
        foreach (DicomElement e in set.Elements)
        {
            if ((e.Tag & 0xFFFF) == 0 || DicomDictionary.Keyword(e.Tag) is not { } keyword)
            {
                continue; // group lengths, private and unknown tags
            }

            if (e.Items is { } items)
            {
                for (int i = 0; i < items.Count; i++)
                {
                    AddDataSet(properties, $"{prefix}.{keyword}[{i}]", items[i], depth + 1);
                }

                continue;
            }

            int count = e.Value is null ? 0 : e.Multiplicity;
            if (count == 1)
            {
                if (e.Display(0) is { } value)
                {
                    properties[$"{prefix}.{keyword}"] = value;
                }
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    if (e.Display(i) is { } value)
                    {
                        properties[$"{prefix}.{keyword}[{i}]"] = value;
                    }
                }
            }
        }
    }

    private static void CopyDouble(IDictionary<string, string> properties, string from, double scale, string to)
    {
        if (properties.TryGetValue(from, out string? text) && ParseDouble(text) is { } value)
        {
            properties[to] = DicomElement.FormatDouble(scale * value);
        }
    }
}
