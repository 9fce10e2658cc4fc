using System.CommandLine;
using Reader.Cli.Commands;
using Reader.Core;
using Reader.Reference.OpenSlide;

namespace Reader.Cli;

/// <summary>wsi: inspect slides, extract regions and associated images, verify against OpenSlide.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Reader.Remote.RemoteSources.Register(); // s3:// and az:// besides files and http(s)://
        var root = new RootCommand("wsi: a whole-slide image reader (TIFF, BigTIFF, Aperio SVS, NDPI, DICOM; files, http(s)://, s3://, az://)");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(RegionCommand.Create());
        root.Subcommands.Add(AssociatedCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Subcommands.Add(Serve.ServeCommand.Create());
        root.Subcommands.Add(TileCommand.Create());
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine("wsi: " + error.Message);
            }

            Console.Error.WriteLine("wsi: see 'wsi --help'");
            return ExitCodes.BadUsage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("wsi: " + e.Message);
            return ExitCodes.BadUsage;
        }
        catch (SlideException e)
        {
            Console.Error.WriteLine("wsi: " + OneLine(e.Message));
            return ExitCodes.Unreadable;
        }
        catch (OpenSlideException e)
        {
            Console.Error.WriteLine("wsi: OpenSlide: " + OneLine(e.Message));
            return ExitCodes.Unreadable;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            Console.Error.WriteLine("wsi: " + OneLine(e.Message));
            return ExitCodes.Unreadable;
        }
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
