using System.Buffers;
using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Accelerators;
using Reader.Gpu.Kernels;

namespace Reader.Gpu.Host;

/// <summary>
/// Runs a gathered batch: pack on the host into a workspace, upload, Huffman / IDCT / colour kernels for
/// the device tiles, read the statuses back, decode failed tiles on the CPU into their slots, then
/// assemble the patches into the batch's output buffer. The device is held (its gate) only while work is
/// enqueued, so another thread packs the next batch into the other workspace meanwhile.
/// </summary>
internal sealed class BatchExecutor(GpuDevice device, GpuReaderOptions options)
{
    private readonly bool parallelFor = options.Execution == KernelExecution.ParallelFor;
    private readonly bool synchronize = options.PhaseTimings || device.Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>
    /// Decodes and assembles <paramref name="job"/> into <paramref name="output"/> (N x H x W x C).
    /// <paramref name="failure"/> turns a CPU decode failure of a tile into the exception to throw.
    /// </summary>
    public (BatchTimings Timings, IReadOnlyList<TileOutcome> Tiles) Run(BatchJob job, ArrayView<byte> output, Func<TileWork, Exception, Exception> failure)
    {
        device.Bind(); // per thread (CUDA: the context current here), also for the synchronizations outside the gate
        long start = Stopwatch.GetTimestamp();
        DeviceWorkspace ws = device.AcquireWorkspace();
        TimeSpan wait = Stopwatch.GetElapsedTime(start);
        try
        {
            return Run(job, ws, output, failure, wait);
        }
        catch
        {
            // Copies from this workspace's page-locked staging may still be queued: let them finish before
            // the next batch repacks or regrows it.
            try
            {
                ws.Stream.Synchronize();
            }
            catch (Exception)
            {
                // the original failure is the one to report
            }

            throw;
        }
        finally
        {
            device.ReleaseWorkspace(ws);
        }
    }

    private (BatchTimings, IReadOnlyList<TileOutcome>) Run(BatchJob job, DeviceWorkspace ws, ArrayView<byte> output, Func<TileWork, Exception, Exception> failure, TimeSpan wait)
    {
        Accelerator accelerator = device.Accelerator;
        KernelSet? kernels = parallelFor ? null : device.Kernels; // Parallel.For never compiles them
        ArrayView<int> natural = device.Natural;
        AcceleratorStream stream = ws.Stream;
        TileGatherer gatherer = job.Gatherer;
        var clock = new PhaseClock(stream, synchronize);

        TileBatchPlanner plan = TileBatchPlanner.Plan(job, options.HuffmanSubsequenceBits);
        lock (device.Gate)
        {
            device.Bind();
            plan.EnsureStaging(ws, accelerator);
        }

        plan.Pack(ws, options.WithholdFromDevice);
        TimeSpan pack = clock.Lap(sync: false);

        int j = plan.DeviceTiles.Count;
        var slotShape = new SlotShape(gatherer.Grid.TileWidth, gatherer.Grid.TileHeight, gatherer.Format.BytesPerPixel());
        int tilePixels = slotShape.TileWidth * slotShape.TileHeight;
        var shapes = new List<KernelShape>();
        ArrayView<int> patches, cells;
        ArrayView<byte> slots;
        TimeSpan upload, huffman = default, idct = default, color = default, inflate = default, predictor = default;
        int rounds = 0;
        lock (device.Gate)
        {
            device.Bind();
            if (plan.IsDeflate)
            {
                patches = Upload(ws.Patches, accelerator, stream, ws.HostPatches, job.Windows.Length * PatchRecord.Size);
                cells = Upload(ws.Cells, accelerator, stream, ws.HostCells, plan.CellCount);
                slots = ws.Slots.View(accelerator, plan.Slots * slotShape.SlotBytes);
                UploadHostSlots(ws, stream, plan, slots, slotShape);
                (upload, inflate, predictor, color) = RunDeflate(ws, plan, slots, slotShape, kernels, clock, shapes);
            }
            else
            {
                ArrayView<byte> data = Upload(ws.Data, accelerator, stream, ws.HostData, plan.DataBytes + 8);
                ArrayView<int> descriptors = Upload(ws.Descriptors, accelerator, stream, ws.HostDescriptors, j * JpegLayout.Size);
                ArrayView<int> quant = Upload(ws.Quant, accelerator, stream, ws.HostQuant, plan.TableSets * 256);
                ArrayView<int> huffmanTables = Upload(ws.Huffman, accelerator, stream, ws.HostHuffman, plan.TableSets * HuffmanLayout.SetStride);
                ArrayView<int> tileBlocks = Upload(ws.TileBlocks, accelerator, stream, ws.HostTileBlocks, j);
                ArrayView<int> segments = Upload(ws.Segments, accelerator, stream, ws.HostSegments, plan.SegmentCount * JpegSegment.Size);
                ArrayView<int> subSegments = Upload(ws.SubSegments, accelerator, stream, ws.HostSubSegments, plan.Subsequences);
                patches = Upload(ws.Patches, accelerator, stream, ws.HostPatches, job.Windows.Length * PatchRecord.Size);
                cells = Upload(ws.Cells, accelerator, stream, ws.HostCells, plan.CellCount);
                slots = ws.Slots.View(accelerator, plan.Slots * slotShape.SlotBytes);
                UploadHostSlots(ws, stream, plan, slots, slotShape);

                int blocks = plan.Blocks;
                var buffers = new HuffmanBuffers
                {
                    Data = data,
                    Descriptors = descriptors,
                    Huffman = huffmanTables,
                    Natural = natural,
                    Segments = segments,
                    SubSegments = subSegments,
                    Entries = ws.Entries.View(accelerator, plan.Subsequences),
                    NextEntries = ws.NextEntries.View(accelerator, plan.Subsequences),
                    Blocks = ws.SubBlocks.View(accelerator, plan.Subsequences),
                    BlockScan = ws.BlockScan.View(accelerator, plan.Subsequences),
                    Coefficients = ws.Coefficients.View(accelerator, plan.Coefficients),
                    Dc = ws.Dc.View(accelerator, blocks),
                    DcScan = ws.DcScan.View(accelerator, blocks),
                    DcPlace = ws.DcPlace.View(accelerator, 2L * blocks),
                    Status = ws.Status.View(accelerator, j),
                    LastChanged = ws.LastChanged.View(accelerator, j),
                    Counters = ws.Counters.View(accelerator, 2),
                };
                ArrayView<byte> planes = ws.Planes.View(accelerator, plan.Coefficients);
                upload = clock.Lap();
                if (j > 0)
                {
                    rounds = HuffmanStage.Run(accelerator, ws, plan, buffers, kernels, options.HuffmanMaxRounds, shapes);
                    huffman = clock.Lap();
                    if (parallelFor)
                    {
                        ParallelForRunner.Idct(blocks, descriptors, tileBlocks, j, buffers.Coefficients, quant, buffers.Status, planes);
                        idct = clock.Lap();
                        ParallelForRunner.Color(j * tilePixels, descriptors, buffers.Status, planes, slots, slotShape);
                        color = clock.Lap();
                    }
                    else
                    {
                        kernels!.Idct(stream, KernelSet.Config(blocks, kernels.BlockGroup), descriptors, tileBlocks, j, buffers.Coefficients, quant, buffers.Status, planes, blocks);
                        idct = clock.Lap();
                        kernels.Color(stream, KernelSet.Config((long)j * tilePixels, kernels.PixelGroup), descriptors, buffers.Status, planes, slots, slotShape, j * tilePixels);
                        color = clock.Lap();
                    }

                    shapes.Add(new KernelShape("idct", 1, blocks, parallelFor ? 0 : kernels!.BlockGroup, 0));
                    shapes.Add(new KernelShape("colour", 1, (long)j * tilePixels, parallelFor ? 0 : kernels!.PixelGroup, 0));
                    buffers.Status.CopyToCPUUnsafeAsync(stream, ref ws.HostStatus.First, j);
                    buffers.Counters.CopyToCPUUnsafeAsync(stream, ref ws.HostCounters.First, 2);
                }
            }
        }

        stream.Synchronize();
        if (j > 0 && !plan.IsDeflate)
        {
            long serial = (ws.HostCounters.Span[1] + 7) / 8; // the most bits one Huffman thread consumed, over every pass
            for (int i = 0; i < shapes.Count; i++)
            {
                shapes[i] = shapes[i].Name.StartsWith("huffman", StringComparison.Ordinal) ? shapes[i] with { MaxSerialBytes = serial } : shapes[i];
            }
        }

        int fallbacks = Fallback(plan, ws, slots, slotShape, failure);
        TimeSpan fallback = clock.Lap();

        int pixels = job.Windows.Length * job.Width * job.Height;
        List<(TileWork Work, DeviceTileCache.Entry Entry)> added = Reserve(job.Cache, plan, slotShape); // outside the device gate: the cache may allocate
        try
        {
            lock (device.Gate)
            {
                device.Bind();
                foreach ((TileWork work, DeviceTileCache.Entry entry) in added)
                {
                    slots.SubView(work.Slot * slotShape.SlotBytes, slotShape.SlotBytes).CopyTo(stream, job.Cache!.View(entry));
                }

                FillColor fill = job.Fill;
                var patchShape = new PatchShape(job.Width, job.Height, slotShape, fill.R, fill.G, fill.B, fill.A);
                if (parallelFor)
                {
                    ParallelForRunner.Assemble(pixels, patches, cells, slots, output, patchShape);
                }
                else
                {
                    kernels!.Assemble(stream, KernelSet.Config(pixels, kernels.PixelGroup), patches, cells, slots, output, patchShape, pixels);
                }
            }

            shapes.Add(new KernelShape("assembly", 1, pixels, parallelFor ? 0 : kernels!.PixelGroup, 0));
            stream.Synchronize();
            foreach ((_, DeviceTileCache.Entry entry) in added)
            {
                job.Cache!.Publish(entry); // its bytes are there now: other batches may copy from it
            }

            added.Clear();
        }
        finally
        {
            foreach ((_, DeviceTileCache.Entry entry) in added)
            {
                job.Cache!.Release(entry); // never filled: dropped
            }
        }

        TimeSpan assembly = clock.Lap(sync: false);

        var timings = new BatchTimings
        {
            FileRead = job.Counters.FileRead,
            HostParse = job.Counters.HostParse,
            HostDecode = job.Counters.HostDecode,
            WorkspaceWait = wait,
            Pack = pack,
            Upload = upload,
            Huffman = huffman,
            Idct = idct,
            Color = color,
            Inflate = inflate,
            Predictor = predictor,
            Fallback = fallback,
            Assembly = assembly,
            PhasesSynchronized = synchronize,
            DeviceTiles = j,
            CpuTiles = plan.HostTiles.Count,
            FallbackTiles = fallbacks,
            MissingTiles = plan.Order.Count(t => t.Route == TileRoute.Missing),
            TableSets = plan.TableSets,
            CompressedBytes = job.Counters.CompressedBytes,
            CachedTiles = plan.CachedTiles.Count,
            HuffmanRounds = rounds,
            HuffmanSegments = plan.SegmentCount,
            Kernels = shapes,
        };
        return (timings, [.. plan.Order.Select(t => t.Outcome())]);
    }

    /// <summary>Slots in the device tile cache for this batch's decoded tiles (device and host), or none.</summary>
    private static List<(TileWork Work, DeviceTileCache.Entry Entry)> Reserve(DeviceTileCache? cache, TileBatchPlanner plan, SlotShape slotShape)
    {
        var added = new List<(TileWork, DeviceTileCache.Entry)>();
        if (cache is null)
        {
            return added;
        }

        TileGatherer g = plan.Job.Gatherer;
        foreach (TileWork work in plan.DeviceTiles.Concat(plan.HostTiles))
        {
            if (cache.Reserve(g.Decoder, g.Format, work.Column, work.Row, slotShape.SlotBytes) is { } entry)
            {
                added.Add((work, entry));
            }
        }

        return added;
    }

    /// <summary>Uploads the pixels of tiles decoded on the CPU into their slots (after the device tiles'), and copies cached tiles into theirs.</summary>
    private static void UploadHostSlots(DeviceWorkspace ws, AcceleratorStream stream, TileBatchPlanner plan, ArrayView<byte> slots, SlotShape slotShape)
    {
        foreach (TileWork cached in plan.CachedTiles)
        {
            cached.Cache!.View(cached.CacheEntry!).CopyTo(stream, slots.SubView(cached.Slot * slotShape.SlotBytes, slotShape.SlotBytes));
        }

        if (plan.HostTiles.Count > 0)
        {
            long bytes = plan.HostTiles.Count * slotShape.SlotBytes;
            slots.SubView(plan.DeviceTiles.Count * slotShape.SlotBytes, bytes).CopyFromCPUUnsafeAsync(stream, ref ws.HostSlots.First, bytes);
        }
    }

    /// <summary>Deflate tiles: upload, inflate (a thread per stream), predictor (a thread per row), conversion (a thread per pixel), statuses back.</summary>
    private (TimeSpan Upload, TimeSpan Inflate, TimeSpan Predictor, TimeSpan Convert) RunDeflate(DeviceWorkspace ws, TileBatchPlanner plan, ArrayView<byte> slots, SlotShape slotShape, KernelSet? kernels, PhaseClock clock, List<KernelShape> shapes)
    {
        Accelerator accelerator = device.Accelerator;
        AcceleratorStream stream = ws.Stream;
        int j = plan.DeviceTiles.Count;
        Core.Decode.TileEncoding e = plan.Job.Gatherer.Decoder.Encoding;
        ArrayView<byte> data = Upload(ws.Data, accelerator, stream, ws.HostData, plan.DataBytes + 8);
        ArrayView<int> records = Upload(ws.Descriptors, accelerator, stream, ws.HostDescriptors, j * DeflateRecord.Size);
        ArrayView<byte> samples = ws.Planes.View(accelerator, (long)j * e.ChunkBytes);
        ArrayView<int> scratch = ws.InflateScratch.View(accelerator, (long)j * Core.Decode.Inflater.ScratchInts);
        ArrayView<int> status = ws.Status.View(accelerator, j);
        TimeSpan upload = clock.Lap();
        if (j == 0)
        {
            return (upload, default, default, default);
        }

        var shape = new DeflateShape(j, e.ChunkBytes, e.TileWidth * e.SamplesPerPixel, e.SamplesPerPixel, e.Predictor, e.Photometric, (int)e.Alpha, e.AlphaSample, slotShape);
        int rows = j * slotShape.TileHeight;
        int pixels = j * slotShape.TileWidth * slotShape.TileHeight;
        if (kernels is null)
        {
            Parallel.For(0, j, t => DeflateKernels.InflateTile(t, data, records, samples, scratch, status, shape));
        }
        else
        {
            kernels.Inflate(stream, KernelSet.Config(j, kernels.HuffmanGroup), data, records, samples, scratch, status, shape);
        }

        TimeSpan inflate = clock.Lap();
        if (kernels is null)
        {
            Parallel.For(0, rows, r => DeflateKernels.PredictRow(r, records, samples, status, shape));
        }
        else
        {
            kernels.Predict(stream, KernelSet.Config(rows, kernels.BlockGroup), records, samples, status, shape);
        }

        TimeSpan predictor = clock.Lap();
        if (kernels is null)
        {
            Parallel.For(0, pixels, p => DeflateKernels.ConvertPixel(p, records, samples, status, slots, shape));
        }
        else
        {
            kernels.Convert(stream, KernelSet.Config(pixels, kernels.PixelGroup), records, samples, status, slots, shape, pixels);
        }

        TimeSpan convert = clock.Lap();
        long largest = plan.DeviceTiles.Max(t => (long)t.ChunkLength);
        shapes.Add(new KernelShape("inflate", 1, j, kernels?.HuffmanGroup ?? 0, largest));
        shapes.Add(new KernelShape("predictor", 1, rows, kernels?.BlockGroup ?? 0, e.Predictor == 2 ? (long)e.TileWidth * e.SamplesPerPixel : 0));
        shapes.Add(new KernelShape("convert", 1, pixels, kernels?.PixelGroup ?? 0, 0));
        status.CopyToCPUUnsafeAsync(stream, ref ws.HostStatus.First, j);
        return (upload, inflate, predictor, convert);
    }

    private static ArrayView<T> Upload<T>(DeviceArray<T> target, Accelerator accelerator, AcceleratorStream stream, HostStaging<T> source, long count)
        where T : unmanaged
    {
        ArrayView<T> view = target.View(accelerator, count);
        if (count > 0)
        {
            view.CopyFromCPUUnsafeAsync(stream, ref source.First, count);
        }

        return view;
    }

    /// <summary>Decodes the device tiles whose status is not ok on the CPU and uploads them into their slots.</summary>
    private int Fallback(TileBatchPlanner plan, DeviceWorkspace ws, ArrayView<byte> slots, SlotShape shape, Func<TileWork, Exception, Exception> failure)
    {
        ReadOnlySpan<int> decoded = ws.HostStatus.Span;
        int count = 0;
        for (int k = 0; k < plan.DeviceTiles.Count; k++)
        {
            TileWork work = plan.DeviceTiles[k];
            int status = decoded[k] != JpegStatus.Ok || plan.IsDeflate ? decoded[k] : plan.ScanStatus[k]; // a decode failure first, as a serial decoder meets it
            work.DeviceStatus = status;
            if (status == JpegStatus.Ok)
            {
                continue;
            }

            count++;
            work.FellBack = true;
            work.HostReason = "device decode failed: " + (plan.IsDeflate ? "deflate " + Core.Decode.InflateStatus.Describe(status) : status == JpegSubsequences.NotSynchronised ? "the parallel Huffman decode did not synchronise" : JpegStatus.Describe(status));
            int bytes = (int)shape.SlotBytes;
            byte[] pixels = ArrayPool<byte>.Shared.Rent(bytes);
            try
            {
                bool present;
                try
                {
                    present = plan.Job.Gatherer.DecodeOnHost(work, pixels.AsSpan(0, bytes));
                }
                catch (SlideException e)
                {
                    Exception mapped = failure(work, e);
                    if (ReferenceEquals(mapped, e))
                    {
                        throw; // keeps the decoder's stack trace
                    }

                    throw mapped;
                }

                if (!present)
                {
                    PixelCopy.Fill(pixels, plan.Job.Gatherer.SlotStride, plan.Job.Gatherer.Format, shape.TileWidth, shape.TileHeight, plan.Job.Fill);
                }

                lock (device.Gate)
                {
                    device.Bind();
                    slots.SubView(k * shape.SlotBytes, bytes).CopyFromCPU(ws.Stream, new ReadOnlySpan<byte>(pixels, 0, bytes));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(pixels);
            }
        }

        return count;
    }

    /// <summary>Phase times; with <c>sync</c>, the stream is synchronized first so the phase's device work is inside it.</summary>
    private sealed class PhaseClock(AcceleratorStream stream, bool synchronize)
    {
        private long last = Stopwatch.GetTimestamp();

        public TimeSpan Lap(bool sync = true)
        {
            if (sync && synchronize)
            {
                stream.Synchronize();
            }

            long now = Stopwatch.GetTimestamp();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(last, now);
            last = now;
            return elapsed;
        }
    }
}
