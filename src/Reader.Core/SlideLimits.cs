namespace Reader.Core;

/// <summary>
/// Bounds that keep hostile files and oversized requests from exhausting memory or time.
/// Exceeding one raises <see cref="SlideLimitException"/> before anything large is allocated.
/// </summary>
public sealed record SlideLimits
{
    /// <summary>The most pixels one ReadRegion call may return (default 2^28, 1 GiB as RGBA).</summary>
    public long MaxRegionPixels { get; init; } = 1L << 28;

    /// <summary>The most compressed bytes one tile may occupy in the file (default 64 MiB).</summary>
    public long MaxTileBytes { get; init; } = 64L << 20;

    /// <summary>The most pixels one decoded tile or strip may hold (default 2^26, 256 MiB as RGBA).</summary>
    public long MaxTilePixels { get; init; } = 1L << 26;

    /// <summary>The most image file directories (SubIFDs included) read from one file (default 4096).</summary>
    public int MaxDirectories { get; init; } = 4096;

    /// <summary>The most entries one directory may have (default 4096).</summary>
    public int MaxDirectoryEntries { get; init; } = 4096;

    /// <summary>The most tiles one level may have (default 2^27).</summary>
    public long MaxTilesPerLevel { get; init; } = 1L << 27;

    /// <summary>The most bytes read for one metadata value such as ImageDescription (default 16 MiB).</summary>
    public int MaxMetadataBytes { get; init; } = 16 << 20;

    /// <summary>The defaults.</summary>
    public static SlideLimits Default { get; } = new();
}
