using System.Diagnostics;
using System.Text.Json;
using Reader.Core;
using Reader.SlideWriter;
using Reader.Tests.Codecs;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Dicom;

/// <summary>
/// Every kind of generated DICOM series read live by OpenSlide 4.0.1 (openslide4_dicom.py in its root) and by us:
/// the same levels, associated images, every property (openslide.* and dicom.*), and every pixel of every level and
/// associated image. Skips loudly when the OpenSlide 4.0.1 root (/work/shared/tools/openslide4.sh setup) is absent.
/// </summary>
public class DicomOpenSlide4Tests
{
    private const string Tool = "/work/shared/tools/openslide4.sh";
    private const string Ready = "/var/tmp/openslide4-root/.ready";

    public static TheoryData<string> Kinds => [.. TestDicom.Kinds.Keys, "truncated"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Generated_series_matches_OpenSlide_4_live(string kind)
    {
        DicomSeriesSpec spec = kind == "truncated" ? TestDicom.Kinds["jpeg-bot"] with { TruncateLevel0 = 5000, Seed = 31, Associated = false } : TestDicom.Kinds[kind];
        Assert.SkipWhen(TestDicom.Missing(spec) is not null, TestDicom.Missing(spec) ?? string.Empty);
        Assert.SkipUnless(File.Exists(Ready) && File.Exists(Tool), "the OpenSlide 4.0.1 root is absent (run /work/shared/tools/openslide4.sh setup): no live comparison");
        string path = TestDicom.Level0(spec);
        string dump = TestSlides.NewPath("os4-dicom");
        RunOpenSlide4(path, dump);
        using JsonDocument info = JsonDocument.Parse(File.ReadAllText(Path.Combine(dump, "info.json")));
        JsonElement root = info.RootElement;
        Assert.False(root.TryGetProperty("error", out JsonElement error), $"OpenSlide 4.0.1 could not open {kind}: {error}");
        using var slide = Slide.Open(path);

        long[][] levels = [.. root.GetProperty("levels").EnumerateArray().Select(l => l.EnumerateArray().Select(v => v.GetInt64()).ToArray())];
        Assert.Equal(levels.Select(l => (l[0], l[1])), slide.Levels.Select(l => (l.Width, l.Height)));
        Assert.Equal(root.GetProperty("associated").EnumerateArray().Select(a => a.GetString()!), slide.AssociatedImageNames);
        var theirs = root.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        string[] differing = [.. theirs.Keys.Union(slide.Properties.Keys).Where(k => theirs.GetValueOrDefault(k) != slide.Properties.GetValueOrDefault(k))];
        Assert.True(differing.Length == 0, $"{kind}: properties differ from OpenSlide 4.0.1: " + string.Join("; ", differing.Select(k => $"{k}: ours '{slide.Properties.GetValueOrDefault(k)}', theirs '{theirs.GetValueOrDefault(k)}'")));

        foreach (SlideLevel level in slide.Levels)
        {
            string raw = Path.Combine(dump, $"level-{level.Index}.raw");
            if (kind == "truncated" && level.Index == 0)
            {
                Assert.False(File.Exists(raw), "OpenSlide 4.0.1 read a truncated level whole");
                Assert.ThrowsAny<CorruptSlideException>(() => slide.ReadRegion(0, 0, 0, (int)level.Width, (int)level.Height, PixelFormat.Rgba32));
                return; // the dump stopped at OpenSlide's error
            }

            byte[] ours = slide.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32);
            byte[] expected = File.ReadAllBytes(raw);
            Assert.True(ours.AsSpan().SequenceEqual(expected), $"{kind} level {level.Index}: {OpenSlide4CodecReferenceTests.DiffSummary(expected, ours, (int)level.Width)}");
        }

        foreach (string name in slide.AssociatedImageNames)
        {
            byte[] ours = slide.ReadAssociatedImage(name, PixelFormat.Rgba32);
            byte[] expected = File.ReadAllBytes(Path.Combine(dump, $"associated-{name}.raw"));
            Assert.True(ours.AsSpan().SequenceEqual(expected), $"{kind} associated {name}: {OpenSlide4CodecReferenceTests.DiffSummary(expected, ours, (int)slide.GetAssociatedImageSize(name).Width)}");
        }
    }

    private static void RunOpenSlide4(string path, string outFolder)
    {
        string script = Path.Combine(FixtureFiles.RepositoryRoot, "tests", "Reader.Tests", "Dicom", "openslide4_dicom.py");
        (int code, _, string err) = OpenSlide4Root.Exec("python3", script, path, outFolder);
        Assert.True(code == 0 && File.Exists(Path.Combine(outFolder, "info.json")), $"OpenSlide 4.0.1 dump of {path} failed: {err.Trim()}");
    }
}
