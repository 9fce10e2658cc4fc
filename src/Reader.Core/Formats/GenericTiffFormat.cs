using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// A generic pyramidal TIFF: the full-resolution image plus reduced-resolution images
/// (NewSubfileType bit 0, anywhere in the IFD chain, in any order) or SubIFDs of the
/// full-resolution image. Transparency masks and other non-level images are skipped.
/// Unlike OpenSlide, a stripped full-resolution image is read too.
/// </summary>
internal static class GenericTiffFormat
{
    public static TiffLayout Open(TiffContainer tiff)
    {
        var images = tiff.Directories.Select(TiffImage.Describe).ToList();
        TiffImage baseLevel = images.FirstOrDefault(i => !i.IsReducedResolution && !i.IsMask)
            ?? throw new UnsupportedFormatException(tiff.Path, null, "no full-resolution image (every IFD is a reduced image or a mask)");

        var reduced = images.Where(i => i.IsReducedResolution && !i.IsMask).ToList();
        reduced.AddRange(baseLevel.Directory.SubDirectories.Select(TiffImage.Describe).Where(i => !i.IsMask));
        var layout = new TiffLayout
        {
            Vendor = "generic-tiff",
            Levels = SlideFormats.OrderLevels(baseLevel, reduced),
            PropertyDirectory = tiff.Directories[0],
        };
        TiffProperties.AddTiffTags(layout.Properties, tiff.Directories[0]);
        TiffProperties.AddResolutionMpp(layout.Properties, tiff.Directories[0]);
        return layout;
    }
}
