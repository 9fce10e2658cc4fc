using ILGPU.Runtime;

namespace Reader.Gpu.Host;

/// <summary>
/// Everything one batch in flight needs besides its output: its stream, the host staging it packs into,
/// and the device buffers the kernels use. A device holds three, so the host packs batch k+1 while the
/// accelerator works on batches k and k-1 (on CUDA the uploads and kernels of a workspace are
/// queued on its own stream).
/// </summary>
internal sealed class DeviceWorkspace : IDisposable
{
    public DeviceWorkspace(Accelerator accelerator)
    {
        Stream = accelerator.CreateStream();
    }

    public AcceleratorStream Stream { get; }

    // Host staging (page-locked where supported).
    public HostStaging<byte> HostData { get; } = new();

    public HostStaging<int> HostDescriptors { get; } = new();

    public HostStaging<int> HostQuant { get; } = new();

    public HostStaging<int> HostHuffman { get; } = new();

    public HostStaging<int> HostTileBlocks { get; } = new();

    public HostStaging<int> HostPatches { get; } = new();

    public HostStaging<int> HostCells { get; } = new();

    public HostStaging<int> HostStatus { get; } = new();

    /// <summary>Segment records and each subsequence's segment (the parallel Huffman stage).</summary>
    public HostStaging<int> HostSegments { get; } = new();

    public HostStaging<int> HostSubSegments { get; } = new();

    /// <summary>Read back: [0] entries changed in the last round, [1] the most bits one Huffman thread consumed.</summary>
    public HostStaging<int> HostCounters { get; } = new();

    /// <summary>Pixels of tiles decoded on the CPU, in slot order, uploaded into their slots.</summary>
    public HostStaging<byte> HostSlots { get; } = new();

    // Device buffers.
    public DeviceArray<byte> Data { get; } = new();

    public DeviceArray<int> Descriptors { get; } = new();

    public DeviceArray<int> Quant { get; } = new();

    public DeviceArray<int> Huffman { get; } = new();

    public DeviceArray<int> TileBlocks { get; } = new();

    public DeviceArray<short> Coefficients { get; } = new();

    public DeviceArray<byte> Planes { get; } = new();

    public DeviceArray<int> Status { get; } = new();

    public DeviceArray<int> Segments { get; } = new();

    public DeviceArray<int> SubSegments { get; } = new();

    public DeviceArray<int> Entries { get; } = new();

    public DeviceArray<int> NextEntries { get; } = new();

    public DeviceArray<int> SubBlocks { get; } = new();

    public DeviceArray<int> BlockScan { get; } = new();

    public DeviceArray<int> Dc { get; } = new();

    public DeviceArray<int> DcScan { get; } = new();

    public DeviceArray<int> DcPlace { get; } = new();

    public DeviceArray<int> LastChanged { get; } = new();

    public DeviceArray<int> Counters { get; } = new();

    /// <summary>Per deflate tile: its Huffman tables while it inflates.</summary>
    public DeviceArray<int> InflateScratch { get; } = new();

    /// <summary>ILGPU.Algorithms' scan scratch.</summary>
    public DeviceArray<int> ScanTemp { get; } = new();

    public DeviceArray<byte> Slots { get; } = new();

    public DeviceArray<int> Patches { get; } = new();

    public DeviceArray<int> Cells { get; } = new();

    public void Dispose()
    {
        foreach (IDisposable d in new IDisposable[]
        {
            HostData, HostDescriptors, HostQuant, HostHuffman, HostTileBlocks, HostPatches, HostCells, HostStatus, HostSlots, HostSegments, HostSubSegments, HostCounters,
            Segments, SubSegments, Entries, NextEntries, SubBlocks, BlockScan, Dc, DcScan, DcPlace, LastChanged, Counters, ScanTemp, InflateScratch,
            Data, Descriptors, Quant, Huffman, TileBlocks, Coefficients, Planes, Status, Slots, Patches, Cells, Stream,
        })
        {
            d.Dispose();
        }
    }
}
