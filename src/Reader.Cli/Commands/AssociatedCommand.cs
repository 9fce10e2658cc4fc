using System.CommandLine;
using Reader.Core;

namespace Reader.Cli.Commands;

/// <summary>wsi associated SLIDE NAME --out FILE.png.</summary>
internal static class AssociatedCommand
{
    public static Command Create()
    {
        var slide = new Argument<string>("slide") { Description = "the slide: a file, or an http(s)://, s3:// or az:// address" };
        var name = new Argument<string>("name") { Description = "thumbnail, label, macro, ..." };
        var output = new Option<string>("--out") { Description = "output .png (or .raw)", Required = true };
        var command = new Command("associated", "write an associated image") { slide, name, output };
        command.SetAction(p =>
        {
            ImageFiles.CheckName(p.GetValue(output)!);
            using var s = Slide.Open(SlidePaths.Full(p.GetValue(slide)!));
            string n = p.GetValue(name)!;
            if (!s.AssociatedImageNames.Contains(n))
            {
                throw new UsageException($"no associated image '{n}'; the slide has: {(s.AssociatedImageNames.Count == 0 ? "none" : string.Join(", ", s.AssociatedImageNames))}");
            }

            (long w, long h) = s.GetAssociatedImageSize(n);
            ImageFiles.Write(p.GetValue(output)!, s.ReadAssociatedImage(n, PixelFormat.Rgba32), (int)w, (int)h);
            return ExitCodes.Success;
        });
        return command;
    }
}
