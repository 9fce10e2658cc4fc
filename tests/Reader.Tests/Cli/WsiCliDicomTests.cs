using System.Buffers.Binary;
using Reader.Core;
using Reader.Reference.OpenSlide;
using Reader.Tests.Dicom;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Cli;

/// <summary>The wsi tool on generated DICOM series: info (from an instance or the folder), region, associated, verify.</summary>
public class WsiCliDicomTests
{
    private static Programs.Result Wsi(params string[] args) => Programs.Run("wsi.dll", args);

    [Theory]
    [InlineData("jpeg-bot")]
    [InlineData("sparse-uncompressed")]
    public void Info_on_an_instance_and_on_the_folder(string kind)
    {
        var spec = TestDicom.Kinds[kind];
        foreach (string path in new[] { TestDicom.Level0(spec), TestDicom.Folder(spec) })
        {
            Programs.Result r = Wsi("info", path);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("vendor: dicom", r.Output, StringComparison.Ordinal);
            Assert.Contains($"0: {spec.Width} x {spec.Height}, downsample 1, tile 256 x 256, {(spec.Coding == Reader.SlideWriter.DicomFrameCoding.Uncompressed ? "none" : "JPEG")}", r.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("mpp: 0.25 x 0.25 µm, objective power: 20x", r.Output, StringComparison.Ordinal);
            Assert.Contains("dicom.DimensionOrganizationType: '" + (spec.Sparse ? "TILED_SPARSE" : "TILED_FULL") + "'", r.Output, StringComparison.Ordinal);
            Assert.Equal(spec.Associated, r.Output.Contains("thumbnail: 160 x 112", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Region_and_associated_write_what_the_library_reads()
    {
        var spec = TestDicom.Kinds["sparse-jpeg"];
        string slide = TestDicom.Level0(spec);
        string raw = TestSlides.NewPath("dicom-region.raw"), png = TestSlides.NewPath("dicom-thumb.png");
        Assert.Equal(0, Wsi("region", slide, "--x", "200", "--y", "100", "--level", "0", "--width", "400", "--height", "300", "--out", raw).ExitCode);
        using var s = Slide.Open(slide);
        Assert.Equal(s.ReadRegion(200, 100, 0, 400, 300, PixelFormat.Rgba32), File.ReadAllBytes(raw));
        Assert.Equal(0, Wsi("associated", slide, "thumbnail", "--out", png).ExitCode);
        byte[] header = File.ReadAllBytes(png)[..24];
        Assert.Equal(160, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)));
        Assert.Equal(112, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }

    [Fact]
    public void Verify_compares_with_an_OpenSlide_that_reads_DICOM()
    {
        Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);
        string slide = TestDicom.Level0(TestDicom.Kinds["jpeg-bot"]);
        Programs.Result r = Wsi("verify", slide, "--regions", "4", "--seed", "5");
        if (OpenSlideImage.LibraryVersion is { } version && !version.StartsWith('4'))
        {
            // OpenSlide 3.x has no DICOM driver: verify says so (exit 3); DicomOpenSlide4Tests compare with 4.0.1 live.
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("OpenSlide cannot read it", r.Error, StringComparison.Ordinal);
            Assert.Skip($"the system OpenSlide is {version}, without DICOM support: verify could compare nothing (DicomOpenSlide4Tests compare with OpenSlide 4.0.1)");
        }

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("identical:", r.Output, StringComparison.Ordinal);
    }
}
