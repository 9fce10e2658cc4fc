using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Reader.Native;
using Reader.SlideWriter;
using Reader.Tiling;

namespace Reader.Tests.Tiling;

/// <summary>
/// The DeepZoom pyramids wsi tile writes, against OpenSlide's own deepzoom generator (openslide-python's
/// DeepZoomGenerator, Debian's python3-openslide): the same levels, the same tiles with the same pixel sizes, the same
/// descriptor; and the tile pixels are the ones wsi serve shows.
/// </summary>
public sealed class DeepZoomOutputTests
{
    private const string Script = """
        import json, sys
        import openslide
        from openslide.deepzoom import DeepZoomGenerator
        path, size, overlap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        dz = DeepZoomGenerator(openslide.OpenSlide(path), tile_size=size, overlap=overlap, limit_bounds=False)
        tiles = {}
        for level in range(dz.level_count):
            cols, rows = dz.level_tiles[level]
            for r in range(rows):
                for c in range(cols):
                    tiles["%d/%d_%d" % (level, c, r)] = list(dz.get_tile_dimensions(level, (c, r)))
        print(json.dumps({"levels": dz.level_count, "dimensions": dz.level_dimensions, "tiles": tiles, "dzi": dz.get_dzi("jpeg")}))
        """;

    [Theory]
    [InlineData(850, 630, 254, 1)]
    [InlineData(1000, 509, 254, 1)]
    [InlineData(700, 520, 128, 3)]
    [InlineData(512, 256, 256, 0)]
    public void Levels_tiles_sizes_and_descriptor_match_openslides_deepzoom_generator(int width, int height, int tileSize, int overlap)
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG tiles need the native shim: " + NativeShim.UnavailableReason);
        string folder = TilingFixture.NewFolder("dzi");
        string slidePath = Path.Combine(folder, "geometry.svs");
        SyntheticSlideWriter.Write(slidePath, TilingFixture.Spec(0) with { Width = width, Height = height });
        JsonDocument? reference = OpenSlideDeepZoom(slidePath, tileSize, overlap);
        Assert.SkipWhen(reference is null, "NEEDS openslide-python (Debian python3-openslide, /usr/bin/python3): the DeepZoom reference is unavailable");
        using JsonDocument expected = reference!;

        string output = TilingFixture.NewFolder("out");
        var options = new TileOptions { Format = TileFormat.Dzi, DziTileSize = tileSize, DziOverlap = overlap, Threads = 2 };
        TileSummary summary = TileRun.Run([new TileInput(slidePath, slidePath)], output, options, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(summary.Failures);
        string files = Path.Combine(output, "geometry", "geometry_files");

        int levels = expected.RootElement.GetProperty("levels").GetInt32();
        Assert.Equal(levels, Directory.GetDirectories(files).Length);
        var tiles = expected.RootElement.GetProperty("tiles").EnumerateObject().ToDictionary(t => t.Name, t => (t.Value[0].GetInt32(), t.Value[1].GetInt32()));
        var ours = Directory.EnumerateFiles(files, "*.jpeg", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(files, f)[..^".jpeg".Length], f => JpegSize(File.ReadAllBytes(f)));
        Assert.Equal(tiles.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        Assert.All(tiles, t => Assert.True(t.Value == ours[t.Key], $"tile {t.Key}: OpenSlide {t.Value}, ours {ours[t.Key]}"));
        Assert.Equal(tiles.Count, summary.Patches);

        XElement theirs = XElement.Parse(expected.RootElement.GetProperty("dzi").GetString()!);
        XElement mine = XElement.Parse(File.ReadAllText(Path.Combine(output, "geometry", "geometry.dzi")));
        foreach (string attribute in new[] { "Format", "Overlap", "TileSize" })
        {
            Assert.Equal(theirs.Attribute(attribute)!.Value, mine.Attribute(attribute)!.Value);
        }

        XNamespace ns = "http://schemas.microsoft.com/deepzoom/2008";
        Assert.Equal(theirs.Element(ns + "Size")!.Attribute("Width")!.Value, mine.Element(ns + "Size")!.Attribute("Width")!.Value);
        Assert.Equal(theirs.Element(ns + "Size")!.Attribute("Height")!.Value, mine.Element(ns + "Size")!.Attribute("Height")!.Value);
    }

    /// <summary>openslide-python's DeepZoomGenerator geometry as JSON, or null when python3-openslide is not installed.</summary>
    private static JsonDocument? OpenSlideDeepZoom(string slide, int tileSize, int overlap)
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return null;
        }

        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(slide);
        info.ArgumentList.Add(tileSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(overlap.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using Process python = Process.Start(info)!;
        string output = python.StandardOutput.ReadToEnd();
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            Assert.True(error.Contains("No module named 'openslide'", StringComparison.Ordinal), "openslide-python failed: " + error);
            return null;
        }

        return JsonDocument.Parse(output);
    }

    /// <summary>Width and height from a JPEG's SOF marker.</summary>
    private static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        int i = 2;
        while (i + 9 < jpeg.Length)
        {
            Assert.Equal(0xFF, jpeg[i]);
            byte marker = jpeg[i + 1];
            int length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }

            i += 2 + length;
        }

        throw new InvalidDataException("no SOF marker");
    }
}
