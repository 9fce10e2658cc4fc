namespace Reader.Bench.Sweep;

/// <summary>What a sweep runs.</summary>
internal sealed record SweepOptions
{
    public string? SlidePath { get; init; }

    public double Scale { get; init; } = 0.2;

    public IReadOnlyList<string> Backends { get; init; } = ["cpu", "cpu-managed", "openslide", "openslide-rgb", "libvips", "gpu"];

    public IReadOnlyList<int> Workers { get; init; } = DefaultWorkers();

    public IReadOnlyList<ParallelMode> Modes { get; init; } =
        [ParallelMode.Threads, ParallelMode.ProcessOpenPerPatch, ParallelMode.ProcessJobPerPatch, ParallelMode.ProcessChunked, ParallelMode.Batch];

    public IReadOnlyList<int> Starts { get; init; } = [0, 1];

    public int Patch { get; init; } = 256;

    public int Level { get; init; }

    /// <summary>Time at most this many patches per configuration (0: all).</summary>
    public int Limit { get; init; }

    /// <summary>Time this fraction of the patches per configuration (1: all).</summary>
    public double Fraction { get; init; } = 1;

    /// <summary>Method 1 (open per patch) is timed on at most this many patches unless --limit says otherwise.</summary>
    public int OpenPerPatchLimit { get; init; } = 1000;

    public string OutputFolder { get; init; } = Path.Combine("bench", "results", DateTime.Now.ToString("yyyy-MM-dd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public bool DropCaches { get; init; }

    /// <summary>Other formats timed against OpenSlide after the main sweep (<see cref="FormatRows.Known"/>).</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>Time the tool's start-up (wsi info against openslide-show-properties) after the sweep.</summary>
    public bool Startup { get; init; }

    /// <summary>Show a live progress line.</summary>
    public bool Progress { get; init; } = true;

    /// <summary>1, 2, 4, ... up to the core count, and the core count itself.</summary>
    public static IReadOnlyList<int> DefaultWorkers()
    {
        var list = new List<int>();
        for (int w = 1; w < Environment.ProcessorCount; w *= 2)
        {
            list.Add(w);
        }

        list.Add(Environment.ProcessorCount);
        return list;
    }
}
