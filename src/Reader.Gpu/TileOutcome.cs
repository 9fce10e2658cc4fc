namespace Reader.Gpu;

/// <summary>Where a tile of a batch was decoded.</summary>
public enum TileDecodePath
{
    /// <summary>Decoded by the kernels.</summary>
    Device,

    /// <summary>The device took it but its decode failed (see the status); decoded on the CPU and uploaded into its slot.</summary>
    CpuFallback,

    /// <summary>Never sent to the device: another compression, or a JPEG the kernels do not take (progressive, 12-bit, ...); decoded on the CPU, assembled on the device.</summary>
    Cpu,

    /// <summary>Missing from the file (sparse): filled.</summary>
    Missing,

    /// <summary>Copied from the decoder's device tile cache: neither fetched nor decoded.</summary>
    Cached,
}

/// <summary>A tile column and row of a level.</summary>
public readonly record struct TileIndex(long Column, long Row);

/// <summary>What happened to one tile of a batch.</summary>
/// <param name="Tile">The tile.</param>
/// <param name="Path">Where it was decoded.</param>
/// <param name="DeviceStatus">The device decode's JpegStatus code (0 ok); -1 when the device never saw it.</param>
/// <param name="Reason">Why it was not decoded on the device, or null.</param>
public sealed record TileOutcome(TileIndex Tile, TileDecodePath Path, int DeviceStatus, string? Reason);
