using System.Globalization;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>The raw tiff.* properties OpenSlide publishes, under its names and number formatting.</summary>
internal static class TiffProperties
{
    public static void AddTiffTags(SortedDictionary<string, string> properties, TiffDirectory dir)
    {
        string? description = dir.GetString(TiffTag.ImageDescription);
        if (description is not null)
        {
            properties["openslide.comment"] = description;
            properties["tiff.ImageDescription"] = description;
        }

        AddString(properties, "tiff.Make", dir, TiffTag.Make);
        AddString(properties, "tiff.Model", dir, TiffTag.Model);
        AddString(properties, "tiff.Software", dir, TiffTag.Software);
        AddString(properties, "tiff.DateTime", dir, TiffTag.DateTime);
        AddString(properties, "tiff.Artist", dir, TiffTag.Artist);
        AddString(properties, "tiff.HostComputer", dir, TiffTag.HostComputer);
        AddString(properties, "tiff.Copyright", dir, TiffTag.Copyright);
        AddString(properties, "tiff.DocumentName", dir, TiffTag.DocumentName);
        AddDouble(properties, "tiff.XResolution", dir, TiffTag.XResolution);
        AddDouble(properties, "tiff.YResolution", dir, TiffTag.YResolution);
        AddDouble(properties, "tiff.XPosition", dir, TiffTag.XPosition);
        AddDouble(properties, "tiff.YPosition", dir, TiffTag.YPosition);
        properties["tiff.ResolutionUnit"] = dir.GetInteger(TiffTag.ResolutionUnit, 2) switch
        {
            1 => "none",
            2 => "inch",
            3 => "centimeter",
            _ => "unknown",
        };
    }

    /// <summary>
    /// Doubles as OpenSlide prints them: GLib's g_ascii_dtostr, C's "%.17g" (17 significant digits,
    /// trailing zeros dropped, so 0.4990 prints "0.499" and a mean of two ratios keeps all 17).
    /// </summary>
    public static string FormatDouble(double value) => value.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e');

    private static void AddString(SortedDictionary<string, string> properties, string name, TiffDirectory dir, ushort tag)
    {
        string? value = dir.GetString(tag);
        if (value is not null)
        {
            properties[name] = value;
        }
    }

    /// <summary>
    /// openslide.mpp-x/-y from XResolution/YResolution as OpenSlide 4 derives them for generic TIFF: 25400 /
    /// resolution per inch (the default unit) or 10000 / resolution per centimetre; nothing for other units,
    /// a missing or zero resolution.
    /// </summary>
    public static void AddResolutionMpp(SortedDictionary<string, string> properties, TiffDirectory dir)
    {
        double micrometresPerUnit = dir.GetInteger(TiffTag.ResolutionUnit, 2) switch
        {
            2 => 25400,
            3 => 10000,
            _ => 0,
        };
        if (micrometresPerUnit == 0 || dir.GetDouble(TiffTag.XResolution) is not { } x || dir.GetDouble(TiffTag.YResolution) is not { } y || x == 0 || y == 0)
        {
            return;
        }

        properties["openslide.mpp-x"] = FormatDouble(micrometresPerUnit / x);
        properties["openslide.mpp-y"] = FormatDouble(micrometresPerUnit / y);
    }

    private static void AddDouble(SortedDictionary<string, string> properties, string name, TiffDirectory dir, ushort tag)
    {
        double? value = dir.GetDouble(tag);
        if (value is not null)
        {
            properties[name] = FormatDouble(value.Value);
        }
    }
}
