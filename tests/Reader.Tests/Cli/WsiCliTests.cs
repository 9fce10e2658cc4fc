using System.Buffers.Binary;
using System.Text.Json;
using Reader.Core;
using Reader.Reference.OpenSlide;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Cli;

/// <summary>The wsi tool as a user runs it: output, files written, exit codes, one-line errors.</summary>
public class WsiCliTests
{
    private static Programs.Result Wsi(params string[] args) => Programs.Run("wsi.dll", args);

    [Fact]
    public void Info_lists_vendor_levels_properties_and_associated_images()
    {
        Programs.Result r = Wsi("info", FixtureFiles.Real("CMU-1-Small-Region.svs"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("vendor: aperio", r.Output, StringComparison.Ordinal);
        Assert.Contains("0: 2220 x 2967, downsample 1, tile 240 x 240, JPEG", r.Output, StringComparison.Ordinal);
        Assert.Contains("label: 387 x 463", r.Output, StringComparison.Ordinal);
        Assert.Contains("openslide.mpp-x: '0.499'", r.Output, StringComparison.Ordinal);
        Assert.Contains("mpp: 0.499 x 0.499 µm, objective power: 20x", r.Output, StringComparison.Ordinal);
        Assert.Contains("ICC profile: none", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_shows_the_icc_profile_and_the_mpp_from_resolution_tags()
    {
        Programs.Result r = Wsi("info", FixtureFiles.Real("openslide-python_boxes.tiff"), "--json");
        Assert.Equal(0, r.ExitCode);
        using JsonDocument json = JsonDocument.Parse(r.Output);
        JsonElement icc = json.RootElement.GetProperty("iccProfile");
        Assert.Equal(588, icc.GetProperty("bytes").GetInt32());
        Assert.Equal("RGB", icc.GetProperty("colorSpace").GetString());
        Assert.Equal("588", json.RootElement.GetProperty("properties").GetProperty("openslide.icc-size").GetString());
        Assert.True(json.RootElement.GetProperty("mpp").GetProperty("x").GetDouble() > 0);
    }

    [Fact]
    public void Info_json_parses()
    {
        Programs.Result r = Wsi("info", FixtureFiles.Real("cog_rgb.tif"), "--json");
        Assert.Equal(0, r.ExitCode);
        using JsonDocument json = JsonDocument.Parse(r.Output);
        Assert.Equal("generic-tiff", json.RootElement.GetProperty("vendor").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("levels").GetArrayLength());
        Assert.Equal("2", json.RootElement.GetProperty("properties").GetProperty("openslide.level-count").GetString());
    }

    [Theory]
    [InlineData("histolab_broken.svs", "not a TIFF file")]
    [InlineData("ojpeg-tile.tif", "old-style JPEG is not supported")]
    public void An_unreadable_slide_is_one_line_and_exit_code_3(string name, string reason)
    {
        Programs.Result r = Wsi("info", FixtureFiles.Real(name));
        Assert.Equal(3, r.ExitCode);
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"wsi: {name}: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_exit_code_3()
    {
        Programs.Result r = Wsi("info", "/nonexistent/slide.svs");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("not found", r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("region")]
    [InlineData("frobnicate")]
    [InlineData("region", "x.tif", "--x", "1", "--y", "1", "--width", "0", "--height", "5", "--out", "a.png")]
    public void Bad_usage_is_exit_code_2_without_a_stack_trace(params string[] args)
    {
        Programs.Result r = Wsi(args);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_writes_png_and_raw_rgba_equal_to_ReadRegion()
    {
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 700, Height = 500, TileWidth = 128, TileHeight = 128, Levels = 2 });
        string png = TestSlides.NewPath("region.png"), raw = TestSlides.NewPath("region.raw");
        Assert.Equal(0, Wsi("region", slide, "--x", "650", "--y", "20", "--level", "0", "--width", "90", "--height", "70", "--out", png).ExitCode);
        Assert.Equal(0, Wsi("region", slide, "--x", "650", "--y", "20", "--level", "0", "--width", "90", "--height", "70", "--out", raw).ExitCode);
        byte[] header = File.ReadAllBytes(png)[..24];
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(header, 1, 3));
        Assert.Equal(90, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)));
        Assert.Equal(70, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
        using var s = Slide.Open(slide);
        Assert.Equal(s.ReadRegion(650, 20, 0, 90, 70, PixelFormat.Rgba32), File.ReadAllBytes(raw));
    }

    [Fact]
    public void Associated_writes_the_label()
    {
        string png = TestSlides.NewPath("label.png");
        Programs.Result r = Wsi("associated", FixtureFiles.Real("CMU-1-Small-Region.svs"), "label", "--out", png);
        Assert.Equal(0, r.ExitCode);
        byte[] header = File.ReadAllBytes(png)[..24];
        Assert.Equal(387, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)));
        Assert.Equal(463, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
        Assert.Equal(2, Wsi("associated", FixtureFiles.Real("CMU-1-Small-Region.svs"), "barcode", "--out", png).ExitCode);
    }

    [Fact]
    public void Verify_reports_zero_differences_and_exit_0_on_an_identical_slide()
    {
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        Programs.Result r = Wsi("verify", FixtureFiles.Real("CMU-1-Small-Region.svs"), "--regions", "5", "--seed", "3");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("level 0 (2220x2967, downsample 1): 5 regions", r.Output, StringComparison.Ordinal);
        Assert.Contains("identical:", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_exits_4_when_no_level_could_be_compared()
    {
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        // OpenSlide 3.4 applies the Orientation tag, so every level of this file is a known divergence.
        Programs.Result r = Wsi("verify", FixtureFiles.Real("test_orient6.tif"), "--regions", "3");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("not compared: OpenSlide 3.4 applies Orientation 6", r.Output, StringComparison.Ordinal);
        Assert.Contains("NOTHING COMPARED", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_exits_1_when_pixels_differ()
    {
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        // Declare the alpha of an RGBA slide "associated" (premultiplied): we un-premultiply it,
        // libtiff passes it through, and round trips of invalid premultiplied values differ.
        var spec = new SyntheticSlideSpec { Width = 2048, Height = 1024, TileWidth = 128, TileHeight = 128, Levels = 1, Compression = SlideCompression.Deflate, Color = SlideColor.Rgba };
        string path = SlideSurgery.WithShortTag(TestSlides.Get(spec), 338, 1);
        using (var check = Slide.Open(TestSlides.Get(spec)))
        {
            byte[] all = check.ReadRegion(0, 0, 0, 2048, 1024, PixelFormat.Rgba32);
            Assert.Contains(Enumerable.Range(0, all.Length / 4), i => all[(4 * i) + 3] < all[4 * i]); // colour above alpha: invalid as premultiplied
        }

        Programs.Result r = Wsi("verify", path, "--regions", "40");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("DIFFERENT", r.Output, StringComparison.Ordinal);
    }
}
