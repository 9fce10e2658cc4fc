using System.CommandLine;
using Reader.Cli.Verify;
using Reader.Core;
using Reader.Reference.OpenSlide;

namespace Reader.Cli.Commands;

/// <summary>wsi verify SLIDE [--regions N] [--seed S]: our pixels against OpenSlide's on every level.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var slide = new Argument<string>("slide") { Description = "the slide: a file, or an http(s)://, s3:// or az:// address" };
        var regions = new Option<int>("--regions") { Description = "random regions per level", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "seed of the regions", DefaultValueFactory = _ => 1 };
        Option<string> backend = Backends.Option();
        var command = new Command("verify", "read seeded random regions on every level with this reader and with OpenSlide and compare them; exits 1 on any in-bounds difference") { slide, regions, seed, backend };
        command.SetAction(p => Run(p.GetValue(slide)!, p.GetValue(regions), p.GetValue(seed), p.GetValue(backend)!));
        return command;
    }

    private static int Run(string file, int regions, int seed, string backend)
    {
        if (regions < 1)
        {
            throw new UsageException("--regions must be at least 1");
        }

        if (!OpenSlideImage.IsAvailable)
        {
            Console.Error.WriteLine("wsi: OpenSlide is unavailable: " + OpenSlideImage.UnavailableReason);
            return ExitCodes.Unreadable;
        }

        using var opened = BackendSlide.Open(SlidePaths.Full(file), backend);
        Slide ours = opened.Slide;
        OpenSlideImage reference;
        try
        {
            reference = OpenSlideImage.Open(SlidePaths.Full(file));
        }
        catch (OpenSlideException e)
        {
            Console.Error.WriteLine($"wsi: {SlidePaths.Short(file)}: OpenSlide cannot read it, nothing to compare: {Program.OneLine(e.Message)}");
            return ExitCodes.Unreadable;
        }

        using (reference)
        {
            Console.WriteLine($"{SlidePaths.Short(file)}: ours {ours.Vendor} ({opened.Label}), {ours.Levels.Count} levels; OpenSlide {OpenSlideImage.LibraryVersion} {reference.GetProperty("openslide.vendor")}, {reference.LevelCount} levels; {regions} regions per level, seed {seed}");
            List<LevelVerdict> verdicts = new SlideVerifier(ours, reference, opened.ReadRgba).Run(regions, seed);
            long differing = 0, compared = 0;
            foreach (LevelVerdict v in verdicts)
            {
                SlideLevel l = ours.Levels[v.Level];
                string head = $"level {v.Level} ({l.Width}x{l.Height}, downsample {l.Downsample:0.####})";
                Console.WriteLine(v.NotCompared is null
                    ? $"{head}: {v.Regions} regions, {v.PixelsCompared} pixels compared, {v.PixelsDiffering} differ, largest difference {v.LargestDifference}"
                    : $"{head}: not compared: {v.NotCompared}" + (v.PixelsDiffering > 0 ? $" ({v.PixelsDiffering} differing pixels before that)" : string.Empty));
                differing += v.PixelsDiffering;
                compared += v.PixelsCompared;
            }

            if (differing == 0 && compared == 0)
            {
                Console.WriteLine("NOTHING COMPARED: no level could be compared with OpenSlide (reasons above)");
                return ExitCodes.NothingCompared;
            }

            Console.WriteLine(differing == 0
                ? $"identical: {compared} in-bounds pixels compared, 0 differ"
                : $"DIFFERENT: {differing} of {compared} in-bounds pixels differ");
            return differing == 0 ? ExitCodes.Success : ExitCodes.Differences;
        }
    }
}
