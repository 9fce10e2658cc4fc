using System.CommandLine;
using System.Globalization;
using Reader.SlideWriter;

namespace Reader.Bench.Tiling;

/// <summary>
/// cohort --out DIR --count N: generated Aperio-style slides of mixed sizes and a CSV manifest (path,label), the input of
/// the tiling bench and of ./build.sh cluster-test.
/// </summary>
internal static class CohortCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "folder for the slides and slides.csv", Required = true };
        var count = new Option<int>("--count") { Description = "number of slides", DefaultValueFactory = _ => 12 };
        var width = new Option<int>("--width") { Description = "width of the largest slide (others are smaller)", DefaultValueFactory = _ => 6144 };
        var command = new Command("cohort", "write a cohort of generated slides of mixed sizes and a CSV manifest") { output, count, width };
        command.SetAction(p =>
        {
            string manifest = Write(p.GetValue(output)!, p.GetValue(count), p.GetValue(width));
            Console.WriteLine(manifest);
            return 0;
        });
        return command;
    }

    /// <summary>Writes the cohort (slide i is 60-100% of <paramref name="width"/> wide, 3:4 aspect); returns the manifest path.</summary>
    public static string Write(string folder, int count, int width)
    {
        Directory.CreateDirectory(folder);
        var lines = new List<string> { "path,label" };
        for (int i = 0; i < count; i++)
        {
            string file = string.Create(CultureInfo.InvariantCulture, $"slide-{i:D3}.svs");
            long w = width * (60 + (i * 37 % 41)) / 100;
            var spec = new SyntheticSlideSpec { Width = w, Height = w * 3 / 4, Levels = 3, Quality = 85, Seed = 500 + i, Vendor = SlideVendor.Aperio };
            SyntheticSlideWriter.Write(Path.Combine(folder, file), spec);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{file},{(i % 3 == 0 ? "tumour" : "normal")}"));
        }

        string manifest = Path.Combine(folder, "slides.csv");
        File.WriteAllLines(manifest, lines);
        return manifest;
    }
}
