using Reader.Core.Plan;
using Reader.Core;
using Reader.Core.Decode;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Kernels;

namespace Reader.Gpu.Host;

/// <summary>
/// Turns a gathered batch into what the kernels read. Tiles get slots in first-use order (device tiles
/// first, so tile k of the kernels is slot k; CPU-decoded tiles after them; missing tiles none); each
/// distinct table set is kept once; the entropy-coded bytes of all device tiles are packed into one
/// buffer and their descriptors rebased onto the batch's data, coefficient and plane buffers; every
/// patch gets its record and its window of the cell-to-slot table.
/// </summary>
internal sealed class TileBatchPlanner
{
    private readonly Dictionary<TableSet, int> tableSetIndex = [];

    private TileBatchPlanner(BatchJob job)
    {
        Job = job;
        var seen = new HashSet<TileWork>();
        var order = new List<TileWork>();
        int cells = 0;
        foreach (RegionPlan w in job.Windows)
        {
            cells += w.Columns * w.Rows;
            for (int r = 0; r < w.Rows; r++)
            {
                for (int c = 0; c < w.Columns; c++)
                {
                    TileWork work = job.Tile(w.FirstColumn + c, w.FirstRow + r);
                    if (seen.Add(work))
                    {
                        order.Add(work);
                    }
                }
            }
        }

        Order = order;
        CellCount = cells;
        DeviceTiles = [.. order.Where(t => t.Route == TileRoute.Device)];
        HostTiles = [.. order.Where(t => t.Route == TileRoute.Host)];
        for (int k = 0; k < DeviceTiles.Count; k++)
        {
            DeviceTiles[k].Slot = k;
        }

        for (int h = 0; h < HostTiles.Count; h++)
        {
            HostTiles[h].Slot = DeviceTiles.Count + h;
        }

        long data = 0, coefficients = 0;
        foreach (TileWork t in DeviceTiles)
        {
            data += t.ChunkLength - t.Header!.Descriptor![JpegLayout.DataStart];
            coefficients += t.Header.Descriptor[JpegLayout.TotalCoefficients];
            if (!tableSetIndex.ContainsKey(t.Header.Tables!))
            {
                tableSetIndex.Add(t.Header.Tables!, tableSetIndex.Count);
            }
        }

        int tw = job.Gatherer.Grid.TileWidth, th = job.Gatherer.Grid.TileHeight;
        TileDecoder decoder = job.Gatherer.Decoder;
        Check(decoder, data, "compressed bytes");
        Check(decoder, coefficients, "coefficients");
        Check(decoder, (long)DeviceTiles.Count * tw * th, "tile pixels");
        Check(decoder, (long)job.Windows.Length * job.Width * job.Height, "patch pixels");
        Check(decoder, (long)(DeviceTiles.Count + HostTiles.Count) * job.Gatherer.SlotBytes, "tile slot bytes");
        DataBytes = (int)data;
        Coefficients = (int)coefficients;
    }

    public BatchJob Job { get; }

    /// <summary>Every distinct tile, in first-use order.</summary>
    public IReadOnlyList<TileWork> Order { get; }

    /// <summary>Tiles the kernels decode; tile k has slot k.</summary>
    public List<TileWork> DeviceTiles { get; }

    /// <summary>Tiles decoded on the CPU; slots after the device tiles.</summary>
    public List<TileWork> HostTiles { get; }

    public int TableSets => tableSetIndex.Count;

    public int DataBytes { get; }

    /// <summary>Coefficients (int16) of all device tiles; also their plane bytes.</summary>
    public int Coefficients { get; }

    public int Blocks => Coefficients / 64;

    public int CellCount { get; }

    public int Slots => DeviceTiles.Count + HostTiles.Count;

    public static TileBatchPlanner Plan(BatchJob job) => new(job);

    /// <summary>Makes the staging big enough (call with the device bound: page-locked memory comes from the driver).</summary>
    public void EnsureStaging(DeviceWorkspace ws, ILGPU.Runtime.Accelerator accelerator)
    {
        int j = DeviceTiles.Count;
        ws.HostData.Ensure(accelerator, DataBytes, pageLock: true);
        ws.HostDescriptors.Ensure(accelerator, j * JpegLayout.Size, pageLock: true);
        ws.HostQuant.Ensure(accelerator, TableSets * 256, pageLock: true);
        ws.HostHuffman.Ensure(accelerator, TableSets * HuffmanLayout.SetStride, pageLock: true);
        ws.HostTileBlocks.Ensure(accelerator, j, pageLock: true);
        ws.HostStatus.Ensure(accelerator, j, pageLock: true);
        ws.HostPatches.Ensure(accelerator, Job.Windows.Length * PatchRecord.Size, pageLock: true);
        ws.HostCells.Ensure(accelerator, CellCount, pageLock: true);
        ws.HostSlots.Ensure(accelerator, HostTiles.Count * Job.Gatherer.SlotBytes, pageLock: true);
    }

    /// <summary>Writes everything the device needs into the workspace's staging.</summary>
    public void Pack(DeviceWorkspace ws, Func<long, long, bool>? withhold)
    {
        Span<byte> data = ws.HostData.Span;
        Span<int> descriptors = ws.HostDescriptors.Span;
        Span<int> tileBlocks = ws.HostTileBlocks.Span;
        int dataOffset = 0, coefficientOffset = 0;
        for (int k = 0; k < DeviceTiles.Count; k++)
        {
            TileWork t = DeviceTiles[k];
            int[] template = t.Header!.Descriptor!;
            int scanStart = template[JpegLayout.DataStart];
            int scanLength = t.ChunkLength - scanStart;
            t.Fetched.Chunk(0).Slice(scanStart, scanLength).CopyTo(data[dataOffset..]);

            Span<int> d = descriptors.Slice(k * JpegLayout.Size, JpegLayout.Size);
            template.CopyTo(d);
            d[JpegLayout.DataStart] = dataOffset;
            d[JpegLayout.DataEnd] = withhold?.Invoke(t.Column, t.Row) == true ? dataOffset : dataOffset + scanLength;
            d[JpegLayout.TableSet] = tableSetIndex[t.Header.Tables!];
            for (int c = 0; c < d[JpegLayout.ComponentCount]; c++)
            {
                d[JpegLayout.Of(c, JpegLayout.CoefficientBase)] += coefficientOffset;
                d[JpegLayout.Of(c, JpegLayout.PlaneBase)] += coefficientOffset; // a tile's plane bytes equal its coefficients
            }

            tileBlocks[k] = coefficientOffset / 64;
            dataOffset += scanLength;
            coefficientOffset += template[JpegLayout.TotalCoefficients];
        }

        Span<int> quant = ws.HostQuant.Span;
        Span<int> huffman = ws.HostHuffman.Span;
        foreach ((TableSet set, int index) in tableSetIndex)
        {
            set.Quant.CopyTo(quant[(index * 256)..]);
            set.Huffman.CopyTo(huffman[(index * HuffmanLayout.SetStride)..]);
        }

        int slotBytes = Job.Gatherer.SlotBytes;
        Span<byte> hostSlots = ws.HostSlots.Span;
        for (int h = 0; h < HostTiles.Count; h++)
        {
            HostTiles[h].Pixels.AsSpan(0, slotBytes).CopyTo(hostSlots[(h * slotBytes)..]);
        }

        Core.Plan.TileGrid grid = Job.Gatherer.Grid;
        Span<int> patches = ws.HostPatches.Span;
        Span<int> cells = ws.HostCells.Span;
        int cell = 0;
        for (int i = 0; i < Job.Windows.Length; i++)
        {
            RegionPlan w = Job.Windows[i];
            Span<int> p = patches.Slice(i * PatchRecord.Size, PatchRecord.Size);
            p[PatchRecord.InsideX0] = w.InsideX0;
            p[PatchRecord.InsideX1] = w.InsideX1;
            p[PatchRecord.InsideY0] = w.InsideY0;
            p[PatchRecord.InsideY1] = w.InsideY1;
            p[PatchRecord.OffsetX] = w.OffsetX(grid);
            p[PatchRecord.OffsetY] = w.OffsetY(grid);
            p[PatchRecord.Columns] = w.Columns;
            p[PatchRecord.CellBase] = cell;
            for (int r = 0; r < w.Rows; r++)
            {
                for (int c = 0; c < w.Columns; c++)
                {
                    cells[cell++] = Job.Tile(w.FirstColumn + c, w.FirstRow + r).Slot;
                }
            }
        }
    }

    /// <summary>The kernels index with 32-bit integers; a batch whose tiles (their sizes come from the file) exceed that is refused, typed.</summary>
    private static void Check(TileDecoder decoder, long value, string what)
    {
        if (value >= int.MaxValue)
        {
            throw new SlideLimitException(decoder.Path, decoder.Name, $"a device batch of {value} {what} exceeds the kernels' 32-bit indexing: use a smaller BatchSize");
        }
    }
}
