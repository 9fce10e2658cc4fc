using System.Globalization;
using Reader.Gpu.Accelerators;

namespace Reader.Bench.GpuStudy;

/// <summary>What the gpu-study command does (see README, "GPU study").</summary>
internal sealed record GpuStudyOptions
{
    /// <summary>A slide to read instead of generating the study slide.</summary>
    public string? SlidePath { get; init; }

    /// <summary>Scale of the study geometry (1 = 92344 x 81017, tile 256, Q95).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Where the generated slide is cached (default ~/.cache/wsi-reader).</summary>
    public string? CacheFolder { get; init; }

    public string OutputFolder { get; init; } = Path.Combine("bench", "results", "gpu-study-" + DateTime.Now.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture));

    public GpuAcceleratorKind Accelerator { get; init; } = GpuAcceleratorKind.Auto;

    /// <summary>Patches per device batch (0: 1024 on a GPU, 64 on the CPU accelerator).</summary>
    public int BatchSize { get; init; }

    /// <summary>Patches compared bit-exact between the GPU path and the CPU path.</summary>
    public int CheckPatches { get; init; } = 256;

    /// <summary>Workers for every path (default: all cores).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Fraction of the patches OpenSlide and raw libjpeg-turbo read (their rates are projected to the whole list).</summary>
    public double ReferenceFraction { get; init; } = 0.1;

    /// <summary>Fraction of the patches the phase-breakdown pass (synchronized after every kernel) reads.</summary>
    public double PhaseFraction { get; init; } = 0.25;

    /// <summary>Fraction of the patches the timed GPU and CPU passes read (1: every aligned patch; smaller for a dry run).</summary>
    public double Fraction { get; init; } = 1.0;
}
