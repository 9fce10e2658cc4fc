using System.CommandLine;
using System.Diagnostics;
using Reader.Core;
using Reader.Native;
using Reader.Native.Reference;

namespace Reader.Bench;

internal static class Program
{
    public static int Main(string[] args)
    {
        var scale = new Option<double>("--scale") { Description = "study geometry scale (1 = 92344 x 81017)", DefaultValueFactory = _ => 0.2 };
        var slide = new Option<string?>("--slide") { Description = "a slide to read instead of the generated default" };
        var rounds = new Option<int>("--rounds") { Description = "timed rounds per configuration (best is kept)", DefaultValueFactory = _ => 3 };
        var root = new RootCommand("WSI reader benchmark");
        var sweep = new Command("sweep", "single-thread aligned level-0 reads vs raw libjpeg-turbo");
        sweep.Options.Add(scale);
        sweep.Options.Add(slide);
        sweep.Options.Add(rounds);
        sweep.SetAction(p => Sweep(p.GetValue(slide), p.GetValue(scale), p.GetValue(rounds)));
        root.Subcommands.Add(sweep);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }

            return 2;
        }

        return parsed.Invoke();
    }

    private static int Sweep(string? slidePath, double scale, int rounds)
    {
        string path = slidePath ?? DefaultSlide.Ensure(scale, null, Console.Out);
        using var slide = Slide.Open(path);
        SlideLevel level0 = slide.Levels[0];
        int tw = level0.TileWidth, th = level0.TileHeight;
        long across = level0.Width / tw, down = level0.Height / th;
        var cells = new List<(long, long)>();
        for (long ty = 0; ty < down; ty++)
        {
            for (long tx = 0; tx < across; tx++)
            {
                cells.Add((tx, ty));
            }
        }

        Console.WriteLine($"slide {Path.GetFileName(path)}: {level0.Width}x{level0.Height}, {cells.Count} aligned {tw}x{th} level-0 patches");
        Console.WriteLine($"libjpeg-turbo {NativeShim.LibjpegTurboVersionText}, backend {slide.Backend}, .NET {Environment.Version}, {Environment.ProcessorCount} cores");
        if (!TurboJpeg.IsAvailable)
        {
            Console.Error.WriteLine(TurboJpeg.UnavailableReason);
            return 1;
        }

        RawTiles raw = RawTiles.Load(path, cells);
        var patch = new byte[tw * th * 3];
        double bestRaw = 0, bestOurs = 0;
        for (int round = 0; round < Math.Max(1, rounds); round++)
        {
            var watch = Stopwatch.StartNew();
            int decoded = raw.Decode(0, raw.Tiles.Count);
            bestRaw = Math.Max(bestRaw, decoded / watch.Elapsed.TotalSeconds);

            watch.Restart();
            foreach ((long tx, long ty) in cells)
            {
                slide.ReadRegion(tx * tw, ty * th, 0, tw, th, patch, PixelFormat.Rgb24);
            }

            bestOurs = Math.Max(bestOurs, cells.Count / watch.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"raw libjpeg-turbo (TurboJPEG, tiles in memory): {bestRaw,8:F0} tiles/s");
        Console.WriteLine($"ours, ReadRegion from the file, RGB24:          {bestOurs,8:F0} patches/s");
        Console.WriteLine($"ours / raw libjpeg-turbo:                       {bestOurs / bestRaw,8:F3}x  (goal >= 0.9x)");
        return 0;
    }
}
