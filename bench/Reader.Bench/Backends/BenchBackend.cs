namespace Reader.Bench.Backends;

/// <summary>A reader the sweep can time: ours, OpenSlide, libvips, the GPU reader.</summary>
internal abstract class BenchBackend
{
    /// <summary>The name used on the command line and in the results.</summary>
    public abstract string Name { get; }

    /// <summary>Null when usable; otherwise why the row is absent.</summary>
    public abstract string? UnavailableReason { get; }

    /// <summary>Output format, cache settings and version, for the report's fairness header.</summary>
    public abstract string Describe { get; }

    /// <summary>A source that any number of threads may read at once.</summary>
    public abstract IPatchSource Open(string path);
}

/// <summary>An opened slide of some backend.</summary>
internal interface IPatchSource : IDisposable
{
    /// <summary>Reads one patch into the thread's scratch buffers.</summary>
    void Read(long x, long y, int level, int width, int height, PatchScratch scratch);
}

/// <summary>Per-thread output buffers, sized for the largest patch.</summary>
internal sealed class PatchScratch(int width, int height)
{
    public byte[] Bytes { get; } = new byte[width * height * 4];

    public uint[] Argb { get; } = new uint[width * height];
}

/// <summary>Every backend the sweep knows, by name.</summary>
internal static class BackendRegistry
{
    public static IReadOnlyList<BenchBackend> All { get; } =
    [
        new OursBackend(managed: false),
        new OursBackend(managed: true),
        new OpenSlideBackend(convertToRgb: false),
        new OpenSlideBackend(convertToRgb: true),
        new VipsBackend(),
        new GpuBackend(cpuAccelerator: false),
        new GpuBackend(cpuAccelerator: true), // opt-in: not in the sweep's default list
    ];

    public static BenchBackend Get(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown backend '{name}'; known: {string.Join(", ", All.Select(b => b.Name))}");
}
