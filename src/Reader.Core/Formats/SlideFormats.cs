using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// The built-in drivers in their fixed order: DICOM (by its Part 10 signature), then the TIFF-based ones: Hamamatsu
/// NDPI, Aperio SVS, Philips TIFF, OME-TIFF, and the generic tiled TIFF. Each TIFF driver looks at directory 0 of the
/// TIFF parsed once.
/// </summary>
internal static class SlideFormats
{
    public static readonly ISlideFormat[] BuiltIn =
    [
        new Dicom.DicomFormat(),
        new Ndpi.NdpiFormat(),
        new TiffFormatDriver("aperio", AperioFormat.Matches, AperioFormat.Open),
        new TiffFormatDriver("philips", PhilipsFormat.Matches, PhilipsFormat.Open),
        new TiffFormatDriver("ome-tiff", OmeTiffFormat.Matches, OmeTiffFormat.Open),
        new TiffFormatDriver("generic-tiff", _ => true, GenericTiffFormat.Open),
    ];

    /// <summary>The TIFF layout the built-in drivers find (tests and tools that look at TIFF internals).</summary>
    public static TiffLayout Detect(TiffContainer tiff)
    {
        foreach (ISlideFormat format in BuiltIn)
        {
            if (format is TiffFormatDriver driver && driver.Matches(tiff.Directories[0]))
            {
                return driver.Read(tiff);
            }
        }

        throw new UnsupportedFormatException(tiff.Path, null, "no TIFF driver matched");
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

/// <summary>A TIFF-based driver: matches on directory 0 of the TIFF the probe parsed, opens into a <see cref="TiffLayout"/>.</summary>
internal sealed class TiffFormatDriver(string name, Func<TiffDirectory, bool> matches, Func<TiffContainer, TiffLayout> read) : ISlideFormat
{
    public string Name { get; } = name;

    public bool Matches(TiffDirectory first) => matches(first);

    public TiffLayout Read(TiffContainer tiff) => read(tiff);

    public bool Detect(SlideProbe probe) => probe.Tiff is { } tiff && matches(tiff.Directories[0]);

    public SlideLayout Open(SlideProbe probe) => read(probe.Tiff!).ToSlideLayout(probe.Codecs);
}
