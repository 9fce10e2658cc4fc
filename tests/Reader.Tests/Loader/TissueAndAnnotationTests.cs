using System.Text;
using Reader.Core;
using Reader.Loader;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Loader;

/// <summary>
/// Tissue masks (Otsu on saturation against the generator's own tissue truth; fractions, morphology and PNG masks on
/// known shapes) and GeoJSON labelling (centre and coverage rules on known polygons, QuPath's layouts, bad files).
/// </summary>
public sealed class TissueAndAnnotationTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 8192, Height = 6144, Levels = 4, Seed = 11, Quality = 90 };

    [Fact]
    public void A_computed_mask_agrees_with_the_generators_tissue_truth()
    {
        using Slide slide = Slide.Open(TestSlides.Get(Spec));
        TissueMask mask = TissueMask.Compute(slide, new TissueOptions { MaskSize = 256 });
        Assert.Equal(256, Math.Max(mask.Width, mask.Height));
        Assert.Equal(32, mask.Downsample);
        Assert.InRange(mask.Threshold, 20, 200);
        int agree = 0, tissue = 0;
        for (int y = 0; y < mask.Height; y++)
        {
            for (int x = 0; x < mask.Width; x++)
            {
                bool truth = SyntheticContent.IsTissue(Spec.Seed, (long)((x + 0.5) * mask.Downsample), (long)((y + 0.5) * mask.Downsample));
                agree += truth == mask[x, y] ? 1 : 0;
                tissue += truth ? 1 : 0;
            }
        }

        int total = mask.Width * mask.Height;
        Assert.InRange(tissue, total / 10, total * 9 / 10); // the slide has both tissue and glass, or the test proves nothing
        Assert.True(agree >= total * 0.95, $"mask agrees with the truth on {agree} of {total} pixels (truth {tissue} tissue, mask {mask.TissueFraction * total:F0}, threshold {mask.Threshold})");
    }

    [Fact]
    public void Saturation_read_in_many_strips_equals_one_strip()
    {
        using Slide slide = Slide.Open(TestSlides.Get(Spec));
        SlideLevel level = slide.Levels[2]; // 2048 x 1536
        byte[] whole = TissueMask.SaturationImage(slide, level, 8, 256, 192, TissueMask.StripBytes);
        byte[] strips = TissueMask.SaturationImage(slide, level, 8, 256, 192, 2048 * 3 * 8 * 5); // 5 mask rows per strip
        Assert.Equal(whole, strips);
        Assert.True(whole.Distinct().Count() > 10); // real content, not a constant
    }

    [Fact]
    public void Fractions_count_each_mask_pixel_by_the_area_it_shares()
    {
        // A 4 x 4 mask at downsample 10 with the left half tissue.
        byte[] bits = new byte[16];
        for (int y = 0; y < 4; y++)
        {
            bits[y * 4] = bits[(y * 4) + 1] = 1;
        }

        TissueMask mask = TissueMask.FromBits(bits, 4, 4, 10);
        Assert.Equal(1.0, mask.Fraction(0, 0, 20, 40), 9);
        Assert.Equal(0.0, mask.Fraction(20, 0, 20, 40), 9);
        Assert.Equal(0.5, mask.Fraction(10, 0, 20, 20), 9);
        Assert.Equal(0.25, mask.Fraction(15, 5, 20, 10), 9); // 5 of 20 columns are tissue
        Assert.Equal(0.0, mask.Fraction(1000, 1000, 10, 10), 9); // outside the slide: background
        Assert.Equal(0.5, mask.TissueFraction, 9);
    }

    [Fact]
    public void Closing_fills_holes_and_opening_removes_specks()
    {
        // 20 x 20: a 10 x 10 block with a one-pixel hole, and a lone speck far away.
        byte[] bits = new byte[400];
        for (int y = 5; y < 15; y++)
        {
            for (int x = 5; x < 15; x++)
            {
                bits[(y * 20) + x] = 1;
            }
        }

        bits[(10 * 20) + 10] = 0;
        bits[(2 * 20) + 17] = 1;
        Morphology.Close(bits, 20, 20, 1);
        Assert.Equal(1, bits[(10 * 20) + 10]);
        Morphology.Open(bits, 20, 20, 1);
        Assert.Equal(0, bits[(2 * 20) + 17]);
        Assert.Equal(100, bits.Count(b => b != 0)); // the block itself survives both, unchanged
    }

    [Fact]
    public void Otsu_splits_a_bimodal_histogram_between_its_modes()
    {
        byte[] values = [.. Enumerable.Repeat((byte)10, 500), .. Enumerable.Repeat((byte)12, 500), .. Enumerable.Repeat((byte)150, 300), .. Enumerable.Repeat((byte)160, 300)];
        int t = TissueMask.OtsuThreshold(values);
        Assert.InRange(t, 12, 149);
    }

    [Fact]
    public void A_supplied_png_mask_round_trips_and_a_bad_one_is_a_typed_error()
    {
        byte[] bits = new byte[6 * 4];
        bits[7] = bits[8] = 1;
        TissueMask mask = TissueMask.FromBits(bits, 6, 4, 16);
        string png = TestSlides.NewPath("mask.png");
        mask.SavePng(png);
        TissueMask back = TissueMask.FromPng(png, 16);
        Assert.Equal((6, 4), (back.Width, back.Height));
        for (int i = 0; i < bits.Length; i++)
        {
            Assert.Equal(bits[i] != 0, back[i % 6, i / 6]);
        }

        string junk = TestSlides.NewPath("junk.png");
        File.WriteAllBytes(junk, Encoding.ASCII.GetBytes("not a png at all"));
        var e = Assert.ThrowsAny<SlideException>(() => TissueMask.FromPng(junk, 16));
        Assert.Contains(Path.GetFileName(junk), e.Message, StringComparison.Ordinal);
    }

    private const string QuPathExport = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1000,0],[1000,1000],[0,1000],[0,0]]]},
           "properties":{"objectType":"annotation","classification":{"name":"Stroma","color":[0,255,0]}}},
          {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[200,200],[600,200],[600,600],[200,600],[200,200]],[[300,300],[400,300],[400,400],[300,400],[300,300]]]},
           "properties":{"objectType":"annotation","classification":{"name":"Tumor","color":[200,0,0]}}},
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[2000,0],[2100,0],[2100,100],[2000,100],[2000,0]]],[[[2200,0],[2300,0],[2300,100],[2200,100],[2200,0]]]]},
           "properties":{"classification":"Necrosis"}},
          {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5000,5000],[6000,5000],[6000,6000],[5000,6000],[5000,5000]]]},
           "properties":{"objectType":"annotation"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"classification":{"name":"Tumor"}}}
        ]}
        """;

    [Fact]
    public void Centre_labels_take_the_smallest_annotation_holding_the_centre()
    {
        SlideAnnotations a = Parse(QuPathExport);
        Assert.Equal(["Necrosis", "Stroma", "Tumor"], a.Classes);
        Assert.Equal(3, a.Count); // the multipolygon counts once; the unclassified polygon and the point are dropped
        var rule = AnnotationLabelling.Default;
        Assert.Equal("Tumor", a.LabelOf(230, 230, 20, 20, rule)); // inside the tumour ring
        Assert.Equal("Stroma", a.LabelOf(340, 340, 20, 20, rule)); // in the tumour's hole: only stroma holds it
        Assert.Equal("Stroma", a.LabelOf(800, 800, 20, 20, rule));
        Assert.Equal("Necrosis", a.LabelOf(2240, 40, 20, 20, rule));
        Assert.Equal("background", a.LabelOf(2140, 40, 20, 20, rule)); // between the two necrosis parts
        Assert.Equal("background", a.LabelOf(5400, 5400, 20, 20, rule)); // unclassified annotation: ignored
        Assert.Null(a.LabelOf(9000, 9000, 20, 20, rule with { Background = null }));
    }

    [Fact]
    public void Coverage_labels_use_exact_areas()
    {
        SlideAnnotations a = Parse(QuPathExport);
        // Rectangle 500..700 x 200..400: the tumour covers x 500..600 (holes elsewhere) = half.
        Dictionary<string, double> cover = a.Coverage(500, 200, 200, 200).ToDictionary(c => c.Class, c => c.Fraction);
        Assert.Equal(0.5, cover["Tumor"], 9);
        Assert.Equal(1.0, cover["Stroma"], 9);
        var byCoverage = new AnnotationLabelling { Rule = LabelRule.Coverage, MinCoverage = 0.6 };
        Assert.Equal("Stroma", a.LabelOf(500, 200, 200, 200, byCoverage));
        // Across the necrosis pair: 2 x (100 x 100) of a 400 x 100 rectangle = 0.5, under 0.6.
        Assert.Equal("background", a.LabelOf(1950, 0, 400, 100, byCoverage));
        Assert.Equal("Necrosis", a.LabelOf(1950, 0, 400, 100, byCoverage with { MinCoverage = 0.5 }));
    }

    [Theory]
    [InlineData("""{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]},"properties":{"classification":{"name":"A"}}}""", 1)]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10]]]},"properties":{"classification":{"name":"A"}}}]""", 1)]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]},"properties":{"classification":{"name":"Bow"}}}]}""", 1)]
    public void Single_features_arrays_open_rings_and_self_intersections_are_read(string json, int count)
    {
        SlideAnnotations a = Parse(json);
        Assert.Equal(count, a.Count);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"type":"Polygon","coordinates":[]}""")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]},"properties":{"classification":{"name":"A"}}}]}""")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[["a",0],[1,1],[2,2],[0,0]]]},"properties":{"classification":{"name":"A"}}}]}""")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon"},"properties":{"classification":{"name":"A"}}}]}""")]
    public void Bad_annotation_files_are_typed_errors_naming_the_file(string json)
    {
        var e = Assert.Throws<AnnotationException>(() => Parse(json));
        Assert.Contains("test.geojson", e.Message, StringComparison.Ordinal);
    }

    private static SlideAnnotations Parse(string json) => SlideAnnotations.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.geojson");
}
