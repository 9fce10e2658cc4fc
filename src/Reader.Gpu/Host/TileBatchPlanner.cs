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

    private readonly int subsequenceBits;
    private readonly int[] scanOffset;
    private readonly int[] segmentOffset;
    private readonly int[] expectedSegments;
    private readonly int[] foundSegments;
    private readonly int[] segmentEnds;

    private TileBatchPlanner(BatchJob job, int subsequenceBits)
    {
        Job = job;
        this.subsequenceBits = subsequenceBits;
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
        CachedTiles = [.. order.Where(t => t.Route == TileRoute.Cached)];
        for (int k = 0; k < DeviceTiles.Count; k++)
        {
            DeviceTiles[k].Slot = k;
        }

        for (int h = 0; h < HostTiles.Count; h++)
        {
            HostTiles[h].Slot = DeviceTiles.Count + h;
        }

        for (int c = 0; c < CachedTiles.Count; c++)
        {
            CachedTiles[c].Slot = DeviceTiles.Count + HostTiles.Count + c;
        }

        long data = 0, coefficients = 0, segments = 0, subsequences = 0;
        int j = DeviceTiles.Count;
        scanOffset = new int[j];
        segmentOffset = new int[j];
        expectedSegments = new int[j];
        foundSegments = new int[j];
        ScanStatus = new int[j];
        IsDeflate = job.Gatherer.DeviceDeflate;
        for (int k = 0; k < j && IsDeflate; k++)
        {
            scanOffset[k] = (int)Math.Min(data, int.MaxValue);
            data += DeviceTiles[k].ChunkLength;
        }

        for (int k = 0; k < j && !IsDeflate; k++)
        {
            TileWork t = DeviceTiles[k];
            int[] d = t.Header!.Descriptor!;
            int scan = t.ChunkLength - d[JpegLayout.DataStart];
            int mcus = d[JpegLayout.McusAcross] * d[JpegLayout.McusDown];
            int interval = d[JpegLayout.RestartInterval];
            int expected = interval > 0 ? (int)(((long)mcus + interval - 1) / interval) : 1;
            scanOffset[k] = (int)Math.Min(data, int.MaxValue);
            segmentOffset[k] = (int)Math.Min(segments, int.MaxValue);
            expectedSegments[k] = Math.Max(1, expected);
            data += scan;
            segments += expectedSegments[k];
            subsequences += expectedSegments[k] + ((scan * 8L) / subsequenceBits) + 1; // a bound: the found segments are fewer or as many
            coefficients += d[JpegLayout.TotalCoefficients];
            if (!tableSetIndex.ContainsKey(t.Header.Tables!))
            {
                tableSetIndex.Add(t.Header.Tables!, tableSetIndex.Count);
            }
        }

        int tw = job.Gatherer.Grid.TileWidth, th = job.Gatherer.Grid.TileHeight;
        TileDecoder decoder = job.Gatherer.Decoder;
        Check(decoder, (data + 8) * 8, "entropy-coded bits");
        Check(decoder, segments * JpegSegment.Size, "segment record ints");
        Check(decoder, subsequences, "Huffman subsequences");
        Check(decoder, coefficients, "coefficients");
        Check(decoder, IsDeflate ? (long)j * job.Gatherer.Decoder.Encoding.ChunkBytes : 0, "decoded sample bytes");
        Check(decoder, IsDeflate ? (long)j * Inflater.ScratchInts : 0, "inflate scratch ints");
        Check(decoder, (long)DeviceTiles.Count * tw * th, "tile pixels");
        Check(decoder, (long)job.Windows.Length * job.Width * job.Height, "patch pixels");
        Check(decoder, (long)(DeviceTiles.Count + HostTiles.Count + CachedTiles.Count) * job.Gatherer.SlotBytes, "tile slot bytes");
        DataBytes = (int)data;
        Coefficients = (int)coefficients;
        SegmentBound = (int)segments;
        SubsequenceBound = (int)subsequences;
        segmentEnds = new int[SegmentBound];
    }

    public BatchJob Job { get; }

    /// <summary>The device tiles are deflate (else JPEG): a level has one codec.</summary>
    public bool IsDeflate { get; }

    /// <summary>Every distinct tile, in first-use order.</summary>
    public IReadOnlyList<TileWork> Order { get; }

    /// <summary>Tiles the kernels decode; tile k has slot k.</summary>
    public List<TileWork> DeviceTiles { get; }

    /// <summary>Tiles decoded on the CPU; slots after the device tiles.</summary>
    public List<TileWork> HostTiles { get; }

    /// <summary>Tiles copied from the device tile cache; slots after the host tiles.</summary>
    public List<TileWork> CachedTiles { get; }

    public int TableSets => tableSetIndex.Count;

    /// <summary>Entropy-coded bytes of the device tiles, before destuffing (the clean buffer's size, less its zero tail).</summary>
    public int DataBytes { get; }

    /// <summary>Segments the restart intervals imply (the most the scans can have).</summary>
    public int SegmentBound { get; }

    public int SubsequenceBound { get; }

    /// <summary>Segments found when packing.</summary>
    public int SegmentCount { get; private set; }

    /// <summary>Huffman threads: subsequences of <see cref="SubsequenceBits"/> bits, at least one per segment.</summary>
    public int Subsequences { get; private set; }

    public int SubsequenceBits => subsequenceBits;

    /// <summary>True when some segment has more than one subsequence, so entries must be synchronised.</summary>
    public bool NeedsSync { get; private set; }

    /// <summary>The largest segment, in bytes (what one thread per restart interval would decode).</summary>
    public int LargestSegmentBytes { get; private set; }

    /// <summary>Per device tile, the scan structure's status found while destuffing (restart markers, EOI).</summary>
    public int[] ScanStatus { get; }

    /// <summary>Coefficients (int16) of all device tiles; also their plane bytes.</summary>
    public int Coefficients { get; }

    public int Blocks => Coefficients / 64;

    public int CellCount { get; }

    public int Slots => DeviceTiles.Count + HostTiles.Count + CachedTiles.Count;

    public static TileBatchPlanner Plan(BatchJob job, int subsequenceBits) => new(job, subsequenceBits);

    /// <summary>Makes the staging big enough (call with the device bound: page-locked memory comes from the driver).</summary>
    public void EnsureStaging(DeviceWorkspace ws, ILGPU.Runtime.Accelerator accelerator)
    {
        int j = DeviceTiles.Count;
        ws.HostData.Ensure(accelerator, DataBytes + 8, pageLock: true);
        ws.HostSegments.Ensure(accelerator, SegmentBound * JpegSegment.Size, pageLock: true);
        ws.HostSubSegments.Ensure(accelerator, SubsequenceBound, pageLock: true);
        ws.HostCounters.Ensure(accelerator, 2, pageLock: true);
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
        if (IsDeflate)
        {
            PackDeflate(ws, withhold);
        }
        else
        {
            PackJpeg(ws, withhold);
        }

        PackShared(ws);
    }

    /// <summary>Deflate tiles: their compressed bytes one after another (in parallel) and a record each.</summary>
    private void PackDeflate(DeviceWorkspace ws, Func<long, long, bool>? withhold)
    {
        HostStaging<byte> data = ws.HostData;
        HostStaging<int> records = ws.HostDescriptors;
        Core.Plan.TileGrid grid = Job.Gatherer.Grid;
        Parallel.For(0, DeviceTiles.Count, k =>
        {
            TileWork t = DeviceTiles[k];
            bool withheld = withhold?.Invoke(t.Column, t.Row) == true;
            t.Fetched.Chunk(0).CopyTo(data.Span[scanOffset[k]..]);
            Span<int> r = records.Span.Slice(k * DeflateRecord.Size, DeflateRecord.Size);
            r[DeflateRecord.InStart] = scanOffset[k];
            r[DeflateRecord.InEnd] = withheld ? scanOffset[k] : scanOffset[k] + t.ChunkLength;
            r[DeflateRecord.VisibleWidth] = grid.VisibleWidth(t.Column);
            r[DeflateRecord.VisibleHeight] = grid.VisibleHeight(t.Row);
        });
        data.Span.Slice(DataBytes, 8).Clear();
    }

    /// <summary>JPEG tiles: scans destuffed into segments and subsequences, descriptors rebased.</summary>
    private void PackJpeg(DeviceWorkspace ws, Func<long, long, bool>? withhold)
    {
        // Destuff every tile's scan into its place in the clean buffer (tiles in parallel: this is the host's one pass over the bytes).
        HostStaging<byte> clean = ws.HostData;
        Parallel.For(0, DeviceTiles.Count, k =>
        {
            TileWork t = DeviceTiles[k];
            int scanStart = t.Header!.Descriptor![JpegLayout.DataStart];
            ReadOnlySpan<byte> scan = withhold?.Invoke(t.Column, t.Row) == true ? [] : t.Fetched.Chunk(0)[scanStart..t.ChunkLength];
            ScanStatus[k] = ScanDestuffer.Destuff(scan, clean.Span[scanOffset[k]..], expectedSegments[k], segmentEnds.AsSpan(segmentOffset[k], expectedSegments[k]), out foundSegments[k]);
        });
        clean.Span.Slice(DataBytes, 8).Clear();

        Span<int> descriptors = ws.HostDescriptors.Span;
        Span<int> tileBlocks = ws.HostTileBlocks.Span;
        Span<int> segments = ws.HostSegments.Span;
        Span<int> subSegments = ws.HostSubSegments.Span;
        int coefficientOffset = 0, segment = 0, sub = 0, largest = 0;
        bool sync = false;
        for (int k = 0; k < DeviceTiles.Count; k++)
        {
            TileWork t = DeviceTiles[k];
            int[] template = t.Header!.Descriptor!;
            Span<int> d = descriptors.Slice(k * JpegLayout.Size, JpegLayout.Size);
            template.CopyTo(d);
            d[JpegLayout.DataStart] = scanOffset[k];
            d[JpegLayout.DataEnd] = scanOffset[k] + segmentEnds[segmentOffset[k] + foundSegments[k] - 1];
            d[JpegLayout.TableSet] = tableSetIndex[t.Header.Tables!];
            for (int c = 0; c < d[JpegLayout.ComponentCount]; c++)
            {
                d[JpegLayout.Of(c, JpegLayout.CoefficientBase)] += coefficientOffset;
                d[JpegLayout.Of(c, JpegLayout.PlaneBase)] += coefficientOffset; // a tile's plane bytes equal its coefficients
            }

            tileBlocks[k] = coefficientOffset / 64;
            int perMcu = JpegSubsequences.BlocksPerMcu(new IntArrayView(template), 0, template[JpegLayout.ScanComponentCount]);
            int mcus = template[JpegLayout.McusAcross] * template[JpegLayout.McusDown];
            int interval = template[JpegLayout.RestartInterval] > 0 ? template[JpegLayout.RestartInterval] : mcus;
            int period = TablePeriod(template, perMcu);
            int begin = 0;
            for (int i = 0; i < foundSegments[k]; i++)
            {
                int end = segmentEnds[segmentOffset[k] + i];
                int bits = (end - begin) * 8;
                int count = Math.Max(1, (bits + subsequenceBits - 1) / subsequenceBits);
                int firstMcu = i * interval;
                Span<int> r = segments.Slice(segment * JpegSegment.Size, JpegSegment.Size);
                r[JpegSegment.Tile] = k;
                r[JpegSegment.BitStart] = (scanOffset[k] + begin) * 8;
                r[JpegSegment.BitEnd] = (scanOffset[k] + end) * 8;
                r[JpegSegment.FirstMcu] = firstMcu;
                r[JpegSegment.Blocks] = Math.Max(0, Math.Min(interval, mcus - firstMcu)) * perMcu;
                r[JpegSegment.FirstBlock] = tileBlocks[k] + (firstMcu * perMcu);
                r[JpegSegment.FirstSub] = sub;
                r[JpegSegment.SubCount] = count;
                r[JpegSegment.Period] = period;
                subSegments.Slice(sub, count).Fill(segment);
                sub += count;
                segment++;
                sync |= count > 1;
                largest = Math.Max(largest, end - begin);
                begin = end;
            }

            coefficientOffset += template[JpegLayout.TotalCoefficients];
        }

        SegmentCount = segment;
        Subsequences = sub;
        NeedsSync = sync;
        LargestSegmentBytes = largest;
    }

    /// <summary>Tables, CPU-decoded tiles, patch records and cells.</summary>
    private void PackShared(DeviceWorkspace ws)
    {
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

    /// <summary>The smallest P dividing the blocks per MCU such that blocks b and b + P always use the same Huffman tables.</summary>
    private static int TablePeriod(int[] d, int perMcu)
    {
        Span<int> tables = stackalloc int[10];
        int scanComponents = d[JpegLayout.ScanComponentCount];
        int b = 0;
        for (int c = 0; c < (scanComponents == 1 ? 1 : scanComponents) && b < perMcu; c++)
        {
            int hv = scanComponents == 1 ? 1 : d[JpegLayout.Of(c, JpegLayout.H)] * d[JpegLayout.Of(c, JpegLayout.V)];
            int pair = (d[JpegLayout.Of(c, JpegLayout.DcTable)] * 16) + d[JpegLayout.Of(c, JpegLayout.AcTable)];
            for (int i = 0; i < hv && b < perMcu; i++)
            {
                tables[b++] = pair;
            }
        }

        for (int period = 1; period < perMcu; period++)
        {
            if (perMcu % period != 0)
            {
                continue;
            }

            bool repeats = true;
            for (int i = 0; i < perMcu && repeats; i++)
            {
                repeats = tables[i] == tables[(i + period) % perMcu];
            }

            if (repeats)
            {
                return period;
            }
        }

        return perMcu;
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
