using System.CommandLine;

namespace Reader.Cli.Commands;

/// <summary>wsi verify: filled in with the OpenSlide binding.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "compare random regions on every level with OpenSlide");
        command.SetAction(int (_) => throw new UsageException("verify needs the OpenSlide binding"));
        return command;
    }
}
