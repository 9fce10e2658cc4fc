using System.Buffers;
using Reader.Core.Fetch;

namespace Reader.Gpu.Host;

/// <summary>How a tile of a batch is decoded.</summary>
internal enum TileRoute
{
    /// <summary>Not gathered yet.</summary>
    Pending,

    /// <summary>Entropy data and header ready for the kernels.</summary>
    Device,

    /// <summary>Decoded on the CPU; pixels ready to upload.</summary>
    Host,

    /// <summary>Missing from the file: filled.</summary>
    Missing,

    /// <summary>In the device tile cache: copied into its slot.</summary>
    Cached,
}

/// <summary>
/// One distinct tile of a batch: gathered once (by whichever worker first needs it) and shared by every
/// patch of the batch that touches it. Holds rented buffers until the batch is packed or abandoned.
/// </summary>
internal sealed class TileWork(long column, long row)
{
    private int claimed;

    public TileIndex Index { get; } = new(column, row);

    public long Column => Index.Column;

    public long Row => Index.Row;

    public TileRoute Route { get; set; }

    /// <summary>
    /// The tile's compressed bytes from Reader.Core's fetch step (rented; a field so it is used and disposed in
    /// place). Kept for device tiles until the batch is done, so a CPU fallback decodes the same bytes.
    /// </summary>
#pragma warning disable CA1051 // a mutable struct owning a rented buffer must not be copied through a property
    public FetchedTile Fetched;
#pragma warning restore CA1051

    public int ChunkLength { get; set; }

    public ParsedHeader? Header { get; set; }

    /// <summary>CPU-decoded pixels (rented), slot layout, for the host route.</summary>
    public byte[]? Pixels { get; set; }

    /// <summary>Why the tile did not go to the device.</summary>
    public string? HostReason { get; set; }

    /// <summary>Slot in the batch's tile buffer, assigned when the batch is planned.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>The device decode's status (JpegStatus), -1 until run.</summary>
    public int DeviceStatus { get; set; } = -1;

    public bool FellBack { get; set; }

    /// <summary>The device cache entry this tile is copied from (pinned until <see cref="Release"/>), and its cache.</summary>
    public DeviceTileCache.Entry? CacheEntry { get; set; }

    public DeviceTileCache? Cache { get; set; }

    /// <summary>True for the one caller that gathers this tile.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref claimed, 1) == 0;

    public TileOutcome Outcome() => new(
        Index,
        Route switch
        {
            TileRoute.Device => FellBack ? TileDecodePath.CpuFallback : TileDecodePath.Device,
            TileRoute.Missing => TileDecodePath.Missing,
            TileRoute.Cached => TileDecodePath.Cached,
            _ => TileDecodePath.Cpu,
        },
        DeviceStatus,
        HostReason);

    /// <summary>Returns the rented buffers.</summary>
    public void Release()
    {
        Fetched.Dispose();
        if (CacheEntry is { } entry)
        {
            CacheEntry = null;
            Cache!.Release(entry);
        }

        if (Pixels is { } pixels)
        {
            Pixels = null;
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }
}
