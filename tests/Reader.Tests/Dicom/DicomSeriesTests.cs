using System.Security.Cryptography;
using System.Text;
using Reader.Core;
using Reader.Core.Batch;
using Reader.SlideWriter;

namespace Reader.Tests.Dicom;

/// <summary>
/// Generated DICOM WSI series (our writer) through the reader: every kind opens from any of its instances and from its
/// folder with the same layout, has OpenSlide 4.0.1's properties, and has the pixels the writer put in.
/// </summary>
public class DicomSeriesTests
{
    public static TheoryData<string> Kinds => [.. TestDicom.Kinds.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Series_opens_with_its_levels_associated_images_and_properties(string kind)
    {
        DicomSeriesSpec spec = TestDicom.Kinds[kind];
        Assert.SkipWhen(TestDicom.Missing(spec) is not null, TestDicom.Missing(spec) ?? string.Empty);
        using var slide = Slide.Open(TestDicom.Level0(spec));
        Assert.Equal("dicom", slide.Vendor);
        Assert.Equal(spec.Levels, slide.Levels.Count);
        for (int i = 0; i < spec.Levels; i++)
        {
            (long w, long h) = spec.LevelSize(i);
            Assert.Equal((w, h), (slide.Levels[i].Width, slide.Levels[i].Height));
            Assert.Equal((spec.TileWidth, spec.TileHeight), (slide.Levels[i].TileWidth, slide.Levels[i].TileHeight));
        }

        Assert.Equal(spec.Associated ? ["label", "macro", "thumbnail"] : [], slide.AssociatedImageNames);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(DicomSeriesWriter.SeriesUid(spec.Seed) + "\0")));
        Assert.Equal(hash, slide.Properties["openslide.quickhash-1"]);
        Assert.Equal("0.25", slide.Properties["openslide.mpp-x"]);
        Assert.Equal("20", slide.Properties["openslide.objective-power"]);
        Assert.Equal("VOLUME", slide.Properties["dicom.ImageType[2]"]);
        Assert.Equal(DicomSeriesWriter.TransferSyntax(spec.Coding), slide.Properties["dicom.TransferSyntaxUID"]);
        Assert.Equal(spec.Sparse ? "TILED_SPARSE" : "TILED_FULL", slide.Properties["dicom.DimensionOrganizationType"]);
        Assert.Equal(spec.IccProfile ? "132" : null, slide.Properties.GetValueOrDefault("openslide.icc-size"));
        Assert.False(slide.Properties.Keys.Any(k => k.Contains("PerFrameFunctionalGroups", StringComparison.Ordinal)), "per-frame groups are not properties (OpenSlide stops before them)");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Any_instance_or_the_folder_opens_the_same_slide(string kind)
    {
        DicomSeriesSpec spec = TestDicom.Kinds[kind];
        Assert.SkipWhen(TestDicom.Missing(spec) is not null, TestDicom.Missing(spec) ?? string.Empty);
        string folder = TestDicom.Folder(spec);
        using var first = Slide.Open(TestDicom.Level0(spec));
        foreach (string path in new[] { Path.Combine(folder, $"level_{spec.Levels - 1}.dcm"), folder })
        {
            using var other = Slide.Open(path);
            Assert.Equal(first.Properties, other.Properties);
            Assert.Equal(first.Levels, other.Levels);
            Assert.Equal(first.ReadRegion(0, 0, 1, 300, 200, PixelFormat.Rgba32), other.ReadRegion(0, 0, 1, 300, 200, PixelFormat.Rgba32));
        }
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("sparse-uncompressed")]
    [InlineData("sparse-concatenation")]
    public void Uncompressed_frames_are_the_written_pixels_and_missing_tiles_are_filled(string kind)
    {
        DicomSeriesSpec spec = TestDicom.Kinds[kind];
        using var slide = Slide.Open(TestDicom.Level0(spec));
        foreach (SlideLevel level in slide.Levels)
        {
            int w = (int)level.Width, h = (int)level.Height;
            byte[] ours = slide.ReadRegion(0, 0, level.Index, w, h, PixelFormat.Rgba32);
            var tile = new byte[spec.TileWidth * spec.TileHeight * 3];
            for (long ty = 0; ty * spec.TileHeight < h; ty++)
            {
                for (long tx = 0; tx * spec.TileWidth < w; tx++)
                {
                    bool missing = spec.Sparse && spec.MissingEvery > 0 && (tx + ty) % spec.MissingEvery == spec.MissingEvery - 1;
                    SyntheticContent.RenderRgb(spec.Seed, level.Index, tx * spec.TileWidth, ty * spec.TileHeight, spec.TileWidth, spec.TileHeight, tile, spec.TileWidth * 3);
                    for (int y = 0; y < spec.TileHeight && (ty * spec.TileHeight) + y < h; y++)
                    {
                        for (int x = 0; x < spec.TileWidth && (tx * spec.TileWidth) + x < w; x++)
                        {
                            long p = (((ty * spec.TileHeight) + y) * w) + (tx * spec.TileWidth) + x;
                            byte[] expected = missing ? [0, 0, 0, 0] : [tile[((y * spec.TileWidth) + x) * 3], tile[(((y * spec.TileWidth) + x) * 3) + 1], tile[(((y * spec.TileWidth) + x) * 3) + 2], 255];
                            Assert.True(ours.AsSpan((int)(p * 4), 4).SequenceEqual(expected), $"{kind} level {level.Index} pixel ({(tx * spec.TileWidth) + x}, {(ty * spec.TileHeight) + y})");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Frames_split_over_fragments_read_as_the_same_frames_whole()
    {
        using var whole = Slide.Open(TestDicom.Level0(TestDicom.Kinds["jpeg-bot"] with { Seed = 8 }));
        using var split = Slide.Open(TestDicom.Level0(TestDicom.Kinds["fragments-bot"]));
        foreach (SlideLevel level in whole.Levels)
        {
            Assert.Equal(whole.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height), split.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height));
        }
    }

    [Fact]
    public void Jpeg_frames_are_close_to_the_written_pixels_in_either_colour_coding()
    {
        foreach (string kind in new[] { "jpeg-bot", "jpeg-rgb" })
        {
            DicomSeriesSpec spec = TestDicom.Kinds[kind];
            using var slide = Slide.Open(TestDicom.Level0(spec));
            int w = (int)slide.Levels[0].Width, h = (int)slide.Levels[0].Height;
            byte[] ours = slide.ReadRegion(0, 0, 0, w, h);
            var expected = new byte[w * h * 3];
            SyntheticContent.RenderRgb(spec.Seed, 0, 0, 0, w, h, expected, w * 3);
            double error = ours.Zip(expected, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(error < 6, $"{kind}: mean absolute error {error:F2} from the written pixels (a wrong colour space or frame order is far larger)");
        }
    }

    [Fact]
    public void A_truncated_instance_opens_reads_its_intact_frames_and_names_the_lost_ones()
    {
        DicomSeriesSpec spec = TestDicom.Kinds["jpeg-bot"] with { TruncateLevel0 = 5000, Seed = 31, Associated = false };
        using var slide = Slide.Open(TestDicom.Level0(spec));
        _ = slide.ReadRegion(0, 0, 0, spec.TileWidth, spec.TileHeight); // the first frame is intact
        var e = Assert.ThrowsAny<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, (int)spec.Width, (int)spec.Height));
        Assert.Contains("level_0.dcm", e.Message, StringComparison.Ordinal);
        Assert.Contains("level 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Associated_images_are_their_single_frame()
    {
        DicomSeriesSpec spec = TestDicom.Kinds["uncompressed"];
        using var slide = Slide.Open(TestDicom.Level0(spec));
        Assert.Equal((160L, 112L), slide.GetAssociatedImageSize("thumbnail"));
        byte[] thumbnail = slide.ReadAssociatedImage("thumbnail");
        var expected = new byte[160 * 112 * 3];
        SyntheticContent.RenderRgb(DicomSeriesWriter.AssociatedSeed(spec, 2), 0, 0, 0, 160, 112, expected, 160 * 3);
        Assert.Equal(expected, thumbnail);
        Assert.Equal("132", slide.Properties["openslide.associated.thumbnail.icc-size"]);
    }

    [Fact]
    public async Task Batch_api_reads_a_sparse_series()
    {
        DicomSeriesSpec spec = TestDicom.Kinds["sparse-jpeg"];
        using var slide = Slide.Open(TestDicom.Level0(spec));
        var locations = Enumerable.Range(0, 10).Select(i => new PatchLocation(i * 61, i * 37)).ToList();
        int patches = 0;
        await foreach (PatchBatch batch in slide.ReadRegions(locations, 96, 96, 0, new BatchOptions { Workers = 2, BatchSize = 4 }, TestContext.Current.CancellationToken).WithCancellation(TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    PatchLocation at = batch.Locations.Span[i];
                    Assert.True(batch.Patch(i).SequenceEqual(slide.ReadRegion(at.X, at.Y, 0, 96, 96, BatchOptions.Default.Format)), $"patch {patches + i}");
                }

                patches += batch.Count;
            }
        }

        Assert.Equal(locations.Count, patches);
    }

    [Fact]
    public void A_folder_without_dicom_is_refused()
    {
        string empty = Reader.Tests.Infrastructure.TestSlides.NewPath("empty-folder");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "not a slide");
        Assert.Throws<UnsupportedFormatException>(() => Slide.Open(empty));
    }

    /// <summary>OpenSlide 4.0.1 detects pathml_small_dicom.dcm as DICOM and fails to open it ("Couldn't get image flavor": its ImageType has two values).</summary>
    [Fact]
    public void The_pathml_fixture_without_an_image_flavour_is_refused_as_OpenSlide_4_refuses_it()
    {
        string path = Reader.Tests.Infrastructure.FixtureFiles.Real("pathml_small_dicom.dcm");
        var e = Assert.Throws<CorruptSlideException>(() => Slide.Open(path));
        Assert.Contains("ImageType has no third value", e.Message, StringComparison.Ordinal);
        Assert.Contains("pathml_small_dicom.dcm", e.Message, StringComparison.Ordinal);
    }
}
