using System.CommandLine;

namespace Reader.Bench;

/// <summary>Reader.DeviceCheck: only the gpu-study command (see Reader.Bench/GpuStudy).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("WSI reader GPU device check");
        root.Subcommands.Add(GpuStudy.GpuStudyCommand.Create());
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
}
