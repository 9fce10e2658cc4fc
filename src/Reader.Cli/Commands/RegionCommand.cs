using System.CommandLine;

namespace Reader.Cli.Commands;

/// <summary>wsi region SLIDE --x --y --level --width --height --out FILE.</summary>
internal static class RegionCommand
{
    public static Command Create()
    {
        var slide = new Argument<string>("slide") { Description = "the slide: a file, or an http(s)://, s3:// or az:// address" };
        var x = new Option<long>("--x") { Description = "left, level-0 coordinates", Required = true };
        var y = new Option<long>("--y") { Description = "top, level-0 coordinates", Required = true };
        var level = new Option<int>("--level") { Description = "pyramid level", DefaultValueFactory = _ => 0 };
        var width = new Option<int>("--width") { Description = "width in level pixels", Required = true };
        var height = new Option<int>("--height") { Description = "height in level pixels", Required = true };
        var output = new Option<string>("--out") { Description = ".png, or .raw (RGBA8 rows, top to bottom, no header)", Required = true };
        Option<string> backend = Backends.Option();
        var stats = new Option<bool>("--stats") { Description = "with --backend gpu: print one JSON object on standard error (tiles decoded on the device and on the host by codec, cache hits, phase times, each kernel's work shape)" };
        var command = new Command("region", "read a region into a PNG or raw RGBA file") { slide, x, y, level, width, height, output, backend, stats };
        command.SetAction(p =>
        {
            int w = p.GetValue(width), h = p.GetValue(height);
            if (w <= 0 || h <= 0)
            {
                throw new UsageException($"--width and --height must be positive (got {w} x {h})");
            }

            ImageFiles.CheckName(p.GetValue(output)!);
            if (p.GetValue(stats) && p.GetValue(backend) != "gpu")
            {
                throw new UsageException("--stats reports the device path: use it with --backend gpu");
            }

            using var s = BackendSlide.Open(SlidePaths.Full(p.GetValue(slide)!), p.GetValue(backend)!);
            int l = p.GetValue(level);
            if (l < 0 || l >= s.Slide.Levels.Count)
            {
                throw new UsageException($"--level {l} is out of range: the slide has {s.Slide.Levels.Count} levels");
            }

            byte[] rgba = s.ReadRgba(p.GetValue(x), p.GetValue(y), l, w, h);
            ImageFiles.Write(p.GetValue(output)!, rgba, w, h);
            if (p.GetValue(stats))
            {
                Console.Error.WriteLine(RegionStats.Json(s));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
