using System.CommandLine;
using Reader.Core;

namespace Reader.Cli.Commands;

/// <summary>The --backend option shared by region and verify.</summary>
internal static class Backends
{
    public static Option<string> Option() => new("--backend")
    {
        Description = "decoders: cpu (libjpeg-turbo), cpu-managed, or gpu",
        DefaultValueFactory = _ => "cpu",
    };

    public static SlideOptions Options(string backend) => backend switch
    {
        "cpu" => new SlideOptions { Backend = DecoderBackend.Auto },
        "cpu-managed" => new SlideOptions { Backend = DecoderBackend.Managed },
        "gpu" => throw new UsageException("the gpu backend is not available in this build"),
        _ => throw new UsageException($"unknown backend '{backend}' (cpu, cpu-managed, gpu)"),
    };
}
