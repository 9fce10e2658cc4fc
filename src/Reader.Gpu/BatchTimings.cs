namespace Reader.Gpu;

/// <summary>
/// Where one batch's time went. Host phases (file read, header parse, CPU decodes) are summed over the
/// workers that did them, so they can exceed the wall time. Device phases are wall time in the thread
/// that ran the batch; they are only separable when <see cref="PhasesSynchronized"/> (the CPU
/// accelerator, or <see cref="GpuReaderOptions.PhaseTimings"/>): otherwise asynchronous work lands in
/// whichever phase waited for it.
/// </summary>
public sealed record BatchTimings
{
    /// <summary>Reading compressed tiles from the file (summed over workers).</summary>
    public TimeSpan FileRead { get; init; }

    /// <summary>Parsing JPEG headers on the host (summed over workers).</summary>
    public TimeSpan HostParse { get; init; }

    /// <summary>Decoding tiles on the CPU: other compressions and JPEGs the kernels do not take (summed over workers).</summary>
    public TimeSpan HostDecode { get; init; }

    /// <summary>Waiting for a free workspace (the previous batches still on the device).</summary>
    public TimeSpan WorkspaceWait { get; init; }

    /// <summary>Slot assignment, table dedupe and packing into the staging buffers.</summary>
    public TimeSpan Pack { get; init; }

    public TimeSpan Upload { get; init; }

    public TimeSpan Huffman { get; init; }

    public TimeSpan Idct { get; init; }

    /// <summary>Colour conversion of JPEG tiles, or sample conversion of deflate tiles.</summary>
    public TimeSpan Color { get; init; }

    /// <summary>Inflating deflate tiles on the device.</summary>
    public TimeSpan Inflate { get; init; }

    /// <summary>Undoing the horizontal predictor of deflate tiles on the device.</summary>
    public TimeSpan Predictor { get; init; }

    /// <summary>Reading the statuses back, CPU decodes of failed tiles and their uploads.</summary>
    public TimeSpan Fallback { get; init; }

    public TimeSpan Assembly { get; init; }

    /// <summary>True when every device phase was synchronized before the next began.</summary>
    public bool PhasesSynchronized { get; init; }

    /// <summary>Tiles the kernels decoded (including those that then fell back).</summary>
    public int DeviceTiles { get; init; }

    /// <summary>Tiles decoded on the CPU before the device ran.</summary>
    public int CpuTiles { get; init; }

    /// <summary>Device tiles whose decode failed and were decoded on the CPU.</summary>
    public int FallbackTiles { get; init; }

    public int MissingTiles { get; init; }

    /// <summary>Tiles copied from the decoder's device tile cache (neither fetched nor decoded).</summary>
    public int CachedTiles { get; init; }

    /// <summary>Distinct JPEG table sets (quantization + Huffman) the batch uploaded.</summary>
    public int TableSets { get; init; }

    /// <summary>Compressed bytes read for the device.</summary>
    public long CompressedBytes { get; init; }

    /// <summary>Synchronisation rounds of the parallel Huffman decoder (0 when every segment was one subsequence).</summary>
    public int HuffmanRounds { get; init; }

    /// <summary>Entropy-coded segments (restart intervals, or whole scans) of the device tiles.</summary>
    public int HuffmanSegments { get; init; }

    /// <summary>Each kernel's work shape in this batch, in launch order.</summary>
    public IReadOnlyList<KernelShape> Kernels { get; init; } = [];

    /// <summary>Upload to assembly.</summary>
    public TimeSpan Device => Upload + Huffman + Idct + Color + Inflate + Predictor + Fallback + Assembly;
}
