using System.Globalization;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>The raw tiff.* properties OpenSlide publishes, under its names.</summary>
internal static class TiffProperties
{
    public static void AddTiffTags(SortedDictionary<string, string> properties, TiffDirectory dir)
    {
        AddString(properties, "tiff.ImageDescription", dir, TiffTag.ImageDescription);
        AddString(properties, "tiff.Make", dir, TiffTag.Make);
        AddString(properties, "tiff.Model", dir, TiffTag.Model);
        AddString(properties, "tiff.Software", dir, TiffTag.Software);
        AddString(properties, "tiff.DateTime", dir, TiffTag.DateTime);
        AddString(properties, "tiff.Artist", dir, TiffTag.Artist);
        AddString(properties, "tiff.HostComputer", dir, TiffTag.HostComputer);
        AddString(properties, "tiff.Copyright", dir, TiffTag.Copyright);
        AddDouble(properties, "tiff.XResolution", dir, TiffTag.XResolution);
        AddDouble(properties, "tiff.YResolution", dir, TiffTag.YResolution);
        if (dir.Has(TiffTag.ResolutionUnit))
        {
            properties["tiff.ResolutionUnit"] = dir.GetInteger(TiffTag.ResolutionUnit, 2) switch
            {
                1 => "none",
                2 => "inch",
                3 => "centimeter",
                ulong other => other.ToString(CultureInfo.InvariantCulture),
            };
        }
    }

    private static void AddString(SortedDictionary<string, string> properties, string name, TiffDirectory dir, ushort tag)
    {
        string? value = dir.GetString(tag);
        if (value is not null)
        {
            properties[name] = value;
        }
    }

    private static void AddDouble(SortedDictionary<string, string> properties, string name, TiffDirectory dir, ushort tag)
    {
        double? value = dir.GetDouble(tag);
        if (value is not null)
        {
            properties[name] = value.Value.ToString("G", CultureInfo.InvariantCulture);
        }
    }
}
