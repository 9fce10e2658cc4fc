using Reader.SlideWriter;
using Reader.Tests.Infrastructure;
using Reader.Tiling;

namespace Reader.Tests.Tiling;

/// <summary>Small generated cohorts and output folders for the tiling tests, and a byte-for-byte folder comparison.</summary>
internal static class TilingFixture
{
    public static string NewFolder(string name)
    {
        string folder = TestSlides.NewPath(name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Spec of slide <paramref name="i"/> of a cohort: sizes differ so balancing has something to do.</summary>
    public static SyntheticSlideSpec Spec(int i, int seed = 0) => new()
    {
        Width = 700 + (i % 4 * 150),
        Height = 520 + (i % 3 * 110),
        TileWidth = 256,
        TileHeight = 256,
        Levels = 2,
        Quality = 80,
        Seed = 100 + i + (seed * 1000),
        Vendor = SlideVendor.Aperio,
        Threads = 1,
    };

    /// <summary>Writes <paramref name="count"/> slides into a new folder and a CSV manifest listing them (relative paths, a label).</summary>
    public static (string Manifest, IReadOnlyList<TileInput> Inputs) Cohort(int count, string name = "cohort")
    {
        string folder = NewFolder(name);
        var lines = new List<string> { "path,label" };
        for (int i = 0; i < count; i++)
        {
            string file = $"case-{i:D2}.svs";
            SyntheticSlideWriter.Write(Path.Combine(folder, file), Spec(i));
            lines.Add($"{file},{(i % 2 == 0 ? "tumour" : "normal")}");
        }

        string manifest = Path.Combine(folder, "slides.csv");
        File.WriteAllLines(manifest, lines);
        return (manifest, TileInput.FromManifest(manifest));
    }

    /// <summary>Every file under <paramref name="folder"/> by relative path, with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes), StringComparer.Ordinal);

    /// <summary>Asserts two output folders hold the same files with the same bytes.</summary>
    public static void AssertSameBytes(string expected, string actual)
    {
        SortedDictionary<string, byte[]> a = Files(expected), b = Files(actual);
        Assert.Equal(a.Keys, b.Keys);
        foreach ((string name, byte[] bytes) in a)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs between {expected} and {actual}");
        }
    }
}
