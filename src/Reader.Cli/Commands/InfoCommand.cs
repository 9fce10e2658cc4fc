using System.CommandLine;
using System.Text.Json;
using Reader.Core;

namespace Reader.Cli.Commands;

/// <summary>wsi info SLIDE [--json]: vendor, levels, properties, associated images.</summary>
internal static class InfoCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var slide = new Argument<string>("slide") { Description = "the slide: a file, or an http(s)://, s3:// or az:// address" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("info", "vendor, levels (size, downsample, tile size, compression), properties, associated images") { slide, json };
        command.SetAction(p => Run(p.GetValue(slide)!, p.GetValue(json)));
        return command;
    }

    private static int Run(string file, bool json)
    {
        using var slide = Slide.Open(SlidePaths.Full(file));
        if (json)
        {
            var document = new
            {
                file = SlidePaths.Display(file),
                vendor = slide.Vendor,
                mpp = slide.Mpp is { } mpp ? new { x = mpp.X, y = mpp.Y } : null,
                objectivePower = slide.ObjectivePower,
                iccProfile = slide.IccProfile is { } icc ? new { bytes = icc.Length, colorSpace = IccColorSpace(icc) } : null,
                levels = slide.Levels.Select(l => new { index = l.Index, width = l.Width, height = l.Height, downsample = l.Downsample, tileWidth = l.TileWidth, tileHeight = l.TileHeight, compression = l.Compression }),
                associatedImages = slide.AssociatedImageNames.Select(n => new { name = n, width = slide.GetAssociatedImageSize(n).Width, height = slide.GetAssociatedImageSize(n).Height }),
                properties = slide.Properties,
            };
            Console.WriteLine(JsonSerializer.Serialize(document, Indented));
            return ExitCodes.Success;
        }

        Console.WriteLine($"file: {SlidePaths.Display(file)}");
        Console.WriteLine($"vendor: {slide.Vendor}");
        Console.WriteLine($"mpp: {(slide.Mpp is { } m ? $"{m.X} x {m.Y} µm" : "unknown")}, objective power: {(slide.ObjectivePower is { } power ? $"{power}x" : "unknown")}");
        Console.WriteLine($"ICC profile: {(slide.IccProfile is { } profile ? $"{profile.Length} bytes, {IccColorSpace(profile)} (not applied, as in OpenSlide)" : "none")}");
        Console.WriteLine("levels:");
        foreach (SlideLevel l in slide.Levels)
        {
            Console.WriteLine($"  {l.Index}: {l.Width} x {l.Height}, downsample {l.Downsample:0.######}, tile {l.TileWidth} x {l.TileHeight}, {l.Compression}");
        }

        Console.WriteLine("associated images:" + (slide.AssociatedImageNames.Count == 0 ? " none" : string.Empty));
        foreach (string name in slide.AssociatedImageNames)
        {
            (long w, long h) = slide.GetAssociatedImageSize(name);
            Console.WriteLine($"  {name}: {w} x {h}");
        }

        Console.WriteLine("properties:");
        foreach ((string key, string value) in slide.Properties)
        {
            Console.WriteLine($"  {key}: '{value}'");
        }

        return ExitCodes.Success;
    }

    /// <summary>The data colour space signature of an ICC profile header (bytes 16-19, e.g. "RGB"), or "?" when too short.</summary>
    private static string IccColorSpace(byte[] profile) =>
        profile.Length >= 20 ? System.Text.Encoding.ASCII.GetString(profile, 16, 4).Trim() : "?";
}
