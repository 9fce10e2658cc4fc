using System.Globalization;
using Reader.Core;
using Reader.Reference.OpenSlide;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;
using Reader.Tests.Read;

namespace Reader.Tests.Conformance;

/// <summary>
/// OpenSlide is the reference: for every fixture it opens and every generated slide kind, the same
/// vendor, levels, downsamples, shared properties and pixels (premultiplied ARGB, OpenSlide's own
/// space) on every level for a fixed set of regions, except the divergences in <see cref="KnownDivergences"/>.
/// </summary>
public class OpenSlideConformanceTests
{
    private static readonly string[] Fixtures =
    [
        "CMU-1-Small-Region.svs", "cog_hirise_mars.tif", "cog_rgb.tif", "cog_uint8_rgb_mask.tif", "image_geos.tif",
        "image_sorted.tif", "image_web_z5_z11.tif", "openslide-python_boxes.tiff", "openslide-python_small.svs",
        "pathml_small_HE_levels.tiff", "quad-tile.jpg.tiff", "quad-tile.tif", "seq-1c-8b-tiled-bigtiff-20f3db0c.tiff",
        "seq-1c-8b-tiled-deflate-20f3db0c.tiff", "seq-1c-8b-tiled-lzw-20f3db0c.tiff", "shapes_lzw_tiled_planar.tif", "small_la.tiff",
        "test_orient1.tif", "test_orient6.tif", "tif-rgb-1res-64x56x8-tiled-jpeg.tif", "tif-rgb-1res-64x56x8-tiled-lzw.tif",
        "tif-rgb-1res-64x56x8-tiled-uncompressed-bigtiff.tif", "tif-rgb-1res-64x56x8-tiled-zip.tif", "tif-rgba-1res-64x56x8-tiled-jpeg.tif",
        "tiff_tiled_ycbcr_jpeg_1x1_sampling.tif", "tiff_tiled_ycbcr_jpeg_2x2_sampling.tif", "tiled-jpeg-rgb-u8.tif",
        "tiled-oversize-gray-i8.tif", "tiled-rect-rgb-u8.tif", "tiled-rgb-u8.tif", "yb10kx5k.zstd.tiff",
        "tcga-cr-7395-01a-01-ts1.svs", "usda_naip_256_webp_z3.tif", "tif-rgb-3res-64x56x16-tiled-uncompressed.tif", "test3-DAPI-2-(387).ndpi",
    ];

    private static readonly Dictionary<string, SyntheticSlideSpec> Generated = new(SyntheticSlides.Kinds)
    {
        ["aperio-jpeg-240-odd"] = new() { Width = 1441, Height = 967, TileWidth = 240, TileHeight = 240, Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio, Levels = 3 },
        ["jpeg-256-odd"] = new() { Width = 1031, Height = 777, Levels = 3, Quality = 90 },
        ["jpeg-512"] = new() { Width = 1500, Height = 1100, TileWidth = 512, TileHeight = 512, Levels = 2, Subsampling = ChromaSubsampling.S422 },
        ["jpeg-16"] = new() { Width = 99, Height = 61, TileWidth = 16, TileHeight = 16, Levels = 3 },
        ["subifd-pyramid"] = new() { Width = 800, Height = 600, TileWidth = 128, TileHeight = 128, Vendor = SlideVendor.SubIfd, Levels = 3 },
    };

    public static TheoryData<string> FixtureNames => [.. Fixtures];

    public static TheoryData<string> GeneratedNames => [.. Generated.Keys];

    private static int OpenSlideMajor => int.Parse((OpenSlideImage.LibraryVersion ?? "0").Split('.')[0], CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Fixture_matches_OpenSlide(string name)
    {
        string path = FixtureFiles.Real(name);
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        if (KnownDivergences.WeRefuse.ContainsKey(name))
        {
            Assert.Throws<UnsupportedFormatException>(() => Slide.Open(path));
            using var theirs = OpenSlideImage.Open(path); // the divergence is real only while OpenSlide reads it
            Assert.True(theirs.LevelCount > 0);
            return;
        }

        if (KnownDivergences.OpenSlideCannotRead.ContainsKey(name))
        {
            using var ours = Slide.Open(path);
            Assert.ThrowsAny<OpenSlideException>(() =>
            {
                using var theirs = OpenSlideImage.Open(path);
                SlideLevel l = ours.Levels[0];
                theirs.ReadRegion(0, 0, 0, (int)Math.Min(l.Width, 64), (int)Math.Min(l.Height, 64));
            });
            return;
        }

        Compare(path, name, matchLevelsBySize: KnownDivergences.MaskLevels.ContainsKey(name));
    }

    [Theory]
    [MemberData(nameof(GeneratedNames))]
    public void Generated_slide_matches_OpenSlide(string kind)
    {
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        SyntheticSlideSpec spec = Generated[kind];
        string path = TestSlides.Get(spec);
        if (KnownDivergences.OpenSlideCannotReadGenerated.ContainsKey(kind))
        {
            using var ours = Slide.Open(path);
            using var failing = OpenSlideImage.Open(path);
            Assert.Throws<OpenSlideException>(() => failing.ReadRegion(0, 0, 0, 16, 16));
            return;
        }

        if (spec.Vendor == SlideVendor.SubIfd)
        {
            using var theirs = OpenSlideImage.Open(path);
            Assert.Equal(1, theirs.LevelCount); // KnownDivergences.SubIfdPyramid
        }

        Compare(path, kind, matchLevelsBySize: spec.Vendor == SlideVendor.SubIfd);
    }

    private static void Compare(string path, string name, bool matchLevelsBySize)
    {
        using var ours = Slide.Open(path);
        using var theirs = OpenSlideImage.Open(path);
        int major = OpenSlideMajor;

        // Vendor, levels, downsamples.
        Assert.Equal(theirs.GetProperty("openslide.vendor"), ours.Vendor);
        var matches = new List<(SlideLevel Ours, int Theirs)>();
        if (matchLevelsBySize)
        {
            foreach (SlideLevel level in ours.Levels)
            {
                int j = Enumerable.Range(0, theirs.LevelCount).FirstOrDefault(k => theirs.LevelDimensions(k) == (level.Width, level.Height), -1);
                if (j >= 0)
                {
                    matches.Add((level, j));
                }
            }

            Assert.NotEmpty(matches);
        }
        else
        {
            Assert.Equal(theirs.LevelCount, ours.Levels.Count);
            matches.AddRange(ours.Levels.Select(l => (l, l.Index)));
            foreach (SlideLevel level in ours.Levels)
            {
                Assert.Equal(theirs.LevelDimensions(level.Index), (level.Width, level.Height));
                Assert.Equal(theirs.LevelDownsample(level.Index), level.Downsample);
            }

            // Properties: every name both report has the same value; OpenSlide's are all ours too.
            foreach (string property in theirs.PropertyNames)
            {
                Assert.True(ours.Properties.TryGetValue(property, out string? value), $"{name}: we lack OpenSlide's property {property}");
                Assert.True(theirs.GetProperty(property) == value, $"{name}: property {property}: OpenSlide '{theirs.GetProperty(property)}', ours '{value}'");
            }

            foreach (string property in ours.Properties.Keys.Where(p => p.StartsWith("openslide.", StringComparison.Ordinal)))
            {
                Assert.True(theirs.PropertyNames.Contains(property) || KnownDivergences.OursOnly(property, major), $"{name}: property {property} is ours only");
            }

            Assert.Equal(theirs.AssociatedImageNames.Order(StringComparer.Ordinal), ours.AssociatedImageNames);
        }

        // Pixels on every level, at whole level pixels.
        int compared = 0;
        foreach ((SlideLevel level, int j) in matches)
        {
            if (KnownDivergences.PixelDefect(ours, level, major) is not null)
            {
                continue;
            }

            foreach ((long lx, long ly, int w, int h) in Regions(level, theirs.LevelDownsample(j)))
            {
                long x = (long)(lx * level.Downsample), y = (long)(ly * level.Downsample);
                uint[] expected = theirs.ReadRegion(x, y, j, w, h);
                var actual = new uint[w * h];
                ArgbConversion.FromRgba(ours.ReadRegion(x, y, level.Index, w, h, PixelFormat.Rgba32), actual);
                int differing = 0, first = -1;
                for (int i = 0; i < actual.Length; i++)
                {
                    if (actual[i] != expected[i])
                    {
                        differing++;
                        first = first < 0 ? i : first;
                    }
                }

                Assert.True(differing == 0, $"{name} level {level.Index} region ({x}, {y}) {w}x{h}: {differing} pixels differ; first at ({first % w}, {first / w}): OpenSlide {expected[Math.Max(first, 0)]:X8}, ours {actual[Math.Max(first, 0)]:X8}");
                compared++;
            }
        }

        Assert.True(compared > 0 || matches.All(m => KnownDivergences.PixelDefect(ours, m.Ours, major) is not null), $"{name}: no region compared");
    }

    /// <summary>Aligned, unaligned by one, straddling a tile corner, right and bottom edges, partly and wholly outside.</summary>
    private static IEnumerable<(long X, long Y, int W, int H)> Regions(SlideLevel level, double theirDownsample)
    {
        int tw = (int)Math.Min(level.TileWidth, level.Width), th = (int)Math.Min(level.TileHeight, level.Height);
        bool whole = level.Downsample == Math.Round(level.Downsample) && theirDownsample == level.Downsample;
        if (!whole)
        {
            // OpenSlide blends by the fraction of x / downsample: only the origin is a whole level pixel.
            yield return (0, 0, tw, th);
            yield return (0, 0, tw + 3, th + 5);
            yield return (0, 0, (int)Math.Min(level.Width, 700), (int)Math.Min(level.Height, 500));
            yield break;
        }

        yield return (0, 0, tw, th);
        yield return (tw, 0, tw, th);
        yield return (1, 1, tw, th);
        yield return (tw - 7, th - 9, 20, 24);
        yield return (level.Width - 13, Math.Max(0, level.Height / 2), 40, 30);
        yield return (Math.Max(0, level.Width / 2), level.Height - 11, 30, 40);
        yield return (-10, -10, 30, 30);
        yield return (level.Width + 5, level.Height + 5, 10, 10);
    }
}
