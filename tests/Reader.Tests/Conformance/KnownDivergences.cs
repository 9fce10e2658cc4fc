using Reader.Core;

namespace Reader.Tests.Conformance;

/// <summary>
/// Every known difference between this reader and OpenSlide, in one place, each with its reason and
/// what we do instead. Each of these files still has reader tests of its own (RealFixtureTests,
/// SyntheticRegionTests). Entries are checked: a file listed as unreadable by OpenSlide must still be
/// unreadable, so the list cannot silently go stale when OpenSlide changes.
/// </summary>
internal static class KnownDivergences
{
    /// <summary>Valid files OpenSlide 3.4.1 cannot open or read; we read them.</summary>
    public static readonly Dictionary<string, string> OpenSlideCannotRead = new()
    {
        ["image_sorted.tif"] = "its full-resolution image is stripped: OpenSlide's generic-tiff driver requires a tiled directory 0; we read strips as a tile grid",
        ["quad-tile.tif"] = "its tile offsets sit under the strip tags (with an SGI DataType tag): OpenSlide does not recognise it; we fall back to the strip tags",
        ["seq-1c-8b-tiled-bigtiff-20f3db0c.tiff"] = UncompressedTiles,
        ["tif-rgb-1res-64x56x8-tiled-uncompressed-bigtiff.tif"] = UncompressedTiles,
    };

    /// <summary>Generated slide kinds OpenSlide 3.4.1 cannot read.</summary>
    public static readonly Dictionary<string, string> OpenSlideCannotReadGenerated = new()
    {
        ["none-48"] = UncompressedTiles,
    };

    private const string UncompressedTiles =
        "OpenSlide 3.4.1 with Debian's libtiff 4.5 opens files with uncompressed tiles but fails every read "
        + "('Invalid tile byte count ... Expected N, got N+256', then TIFFRGBAImageGet failed), classic TIFF and BigTIFF alike; the byte counts are correct";

    /// <summary>Files OpenSlide reads that we refuse with UnsupportedFormatException.</summary>
    public static readonly Dictionary<string, string> WeRefuse = new()
    {
    };

    /// <summary>Files whose level lists differ: OpenSlide 3.4.1 takes transparency masks for levels.</summary>
    public static readonly Dictionary<string, string> MaskLevels = new()
    {
        ["cog_uint8_rgb_mask.tif"] = "OpenSlide 3.4.1 lists the 1-bit transparency-mask IFDs (NewSubfileType 4/5) as levels and cannot read them; we skip masks. Levels of equal size are compared.",
        ["image_geos.tif"] = "as above: mask IFDs interleaved with the JPEG pyramid",
    };

    /// <summary>Generated layouts OpenSlide 3.4.1 does not read as a pyramid.</summary>
    public const string SubIfdPyramid = "OpenSlide 3.4.1's generic-tiff driver ignores SubIFDs, so it sees level 0 only; we read the SubIFD pyramid (OME-TIFF style). Level 0 is compared.";

    /// <summary>
    /// Properties only we report: OpenSlide 4.x names that 3.4.1 lacks (associated image sizes, ICC size), and the
    /// mpp 4.x derives for generic TIFF from the resolution tags. OpenSlide4RegionTests compares them with 4.0.1.
    /// </summary>
    public static bool OursOnly(string property, int openSlideMajor) =>
        openSlideMajor < 4 && (property.StartsWith("openslide.associated.", StringComparison.Ordinal) || property == "openslide.icc-size"
            || property is "openslide.mpp-x" or "openslide.mpp-y");

    /// <summary>
    /// Fully transparent pixels of images with unassociated alpha (ExtraSamples = 2): OpenSlide reads them through
    /// libtiff's TIFFReadRGBATile, which premultiplies (c * a + 127) / 255, so a pixel with alpha 0 comes back
    /// 0,0,0,0; we return straight RGBA and keep the decoded colour under alpha 0 (the sample converter's rule for
    /// every codec, not a WebP decode difference). Found on usda_naip_256_webp_z3.tif (GDAL WebP, nodata alpha 0):
    /// every differing pixel has alpha 0 in both readers; every pixel with alpha 255 is identical to OpenSlide 4.0.1.
    /// The codec reference tests accept a region whose hash matches once colour under alpha 0 is zeroed.
    /// </summary>
    public const string TransparentPixelColour =
        "colour under alpha 0 (unassociated alpha): OpenSlide 0,0,0,0 through libtiff's premultiplication, ours the decoded colour";

    /// <summary>
    /// OpenSlide 4.x reports openslide.associated.NAME.icc-size for associated images with an ICC profile; we report the
    /// slide's profile only (openslide.icc-size). Not codec work: the format drivers do not read associated profiles yet.
    /// </summary>
    public static bool AssociatedIccSizeMissing(string property) =>
        property.StartsWith("openslide.associated.", StringComparison.Ordinal) && property.EndsWith(".icc-size", StringComparison.Ordinal);

    /// <summary>Why OpenSlide's pixels on this level are not a reference, or null.</summary>
    public static string? PixelDefect(Slide ours, SlideLevel level, int openSlideMajor)
    {
        if (openSlideMajor >= 4)
        {
            return null; // 4.x decodes tiles itself; nothing known yet
        }

        if (level.Width < level.TileWidth || level.Height < level.TileHeight)
        {
            return "OpenSlide 3.4 returns wrong pixels on levels narrower or shorter than one tile (libtiff's TIFFRGBAImage adapts the raster); RealFixtureTests and SyntheticRegionTests check these levels against TurboJPEG and libtiff";
        }

        if (ours.Orientation != 1)
        {
            return $"OpenSlide 3.4 applies Orientation {ours.Orientation} through libtiff (roughly mirroring each tile); we return stored pixels, as OpenSlide 4 is expected to";
        }

        return null;
    }
}
