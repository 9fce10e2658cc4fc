using System.Diagnostics;
using System.Globalization;
using Reader.Core;
using Reader.Native.Jpeg2000;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Codecs;

/// <summary>
/// No small 33003 (YCbCr JPEG 2000) slide exists among the fixtures, so generated Aperio-style 33003 slides (4:4:4,
/// 4:2:2 as Aperio writes them: OpenSlide's fast path, 4:2:0: its slow path) and a 33005 one are read by OpenSlide
/// 4.0.1 live and compared with ours, every level whole; likewise a generated lossy WebP pyramid (generic TIFF). Skips loudly when the OpenSlide 4.0.1 root
/// (/work/shared/tools/openslide4.sh setup) or OpenJPEG is missing.
/// </summary>
public class GeneratedJpeg2000OpenSlide4Tests
{
    private const string Tool = "/work/shared/tools/openslide4.sh";
    private const string Ready = "/var/tmp/openslide4-root/.ready";

    public static TheoryData<string> Kinds => ["ycbcr-444", "ycbcr-422", "ycbcr-420", "rgb", "webp-generic"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Generated_aperio_jpeg2000_slide_matches_OpenSlide_4_live(string kind)
    {
        Assert.SkipUnless(NativeJpeg2000.IsSupported, "JPEG 2000 needs OpenJPEG in the shim: " + NativeJpeg2000.UnsupportedReason);
        Assert.SkipUnless(Reader.Native.Webp.NativeWebp.IsSupported, "WebP needs libwebp in the shim: " + Reader.Native.Webp.NativeWebp.UnsupportedReason);
        Assert.SkipUnless(File.Exists(Ready) && File.Exists(Tool), "the OpenSlide 4.0.1 root is absent (run /work/shared/tools/openslide4.sh setup): no live comparison");
        SyntheticSlideSpec spec = new()
        {
            Width = 700, Height = 500, TileWidth = 240, TileHeight = 240, Levels = 2, Vendor = SlideVendor.Aperio, Seed = 9,
            Compression = kind == "rgb" ? SlideCompression.Jpeg2000Rgb : SlideCompression.Jpeg2000YCbCr,
            Subsampling = kind switch { "ycbcr-422" => ChromaSubsampling.S422, "ycbcr-420" => ChromaSubsampling.S420, _ => ChromaSubsampling.S444 },
        };
        if (kind == "webp-generic")
        {
            // a lossy RGB WebP pyramid, read by OpenSlide's generic-tiff driver through libtiff's WebP codec
            spec = spec with { Vendor = SlideVendor.Generic, Compression = SlideCompression.WebP, Quality = 70, Levels = 3 };
        }

        string path = TestSlides.Get(spec);
        using var slide = Slide.Open(path);
        Assert.Equal(kind == "webp-generic" ? "generic-tiff" : "aperio", slide.Properties["openslide.vendor"]);
        foreach (SlideLevel level in slide.Levels)
        {
            int w = (int)level.Width, h = (int)level.Height;
            byte[] ours = slide.ReadRegion(0, 0, level.Index, w, h, PixelFormat.Rgba32);
            byte[] theirs = OpenSlide4(path, level.Index, w, h);
            Assert.True(ours.AsSpan().SequenceEqual(theirs), $"{kind} level {level.Index}: {OpenSlide4CodecReferenceTests.DiffSummary(theirs, ours, w)}");
        }
    }

    private static byte[] OpenSlide4(string path, int level, int w, int h)
    {
        string raw = TestSlides.NewPath("os4.raw");
        string script = Path.Combine(FixtureFiles.RepositoryRoot, "tests", "Reader.Tests", "Reference", "make_openslide4_references.py");
        (int code, _, string err) = OpenSlide4Root.Exec("python3", script, "dump", path, I(level), "0", "0", I(w), I(h), raw);
        Assert.True(code == 0 && File.Exists(raw), $"OpenSlide 4.0.1 could not read {path} level {level}: {err.Trim()}");
        return File.ReadAllBytes(raw);
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
