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

        TileBatchPlanner plan = TileBatchPlanner.Plan(job);
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
        ArrayView<int> descriptors, status, patches, cells;
        ArrayView<byte> planes, slots;
        ArrayView<short> coefficients;
        TimeSpan upload, huffman = default, idct = default, color = default;
        lock (device.Gate)
        {
            device.Bind();
            ArrayView<byte> data = Upload(ws.Data, accelerator, stream, ws.HostData, plan.DataBytes);
            descriptors = Upload(ws.Descriptors, accelerator, stream, ws.HostDescriptors, j * JpegLayout.Size);
            ArrayView<int> quant = Upload(ws.Quant, accelerator, stream, ws.HostQuant, plan.TableSets * 256);
            ArrayView<int> huffmanTables = Upload(ws.Huffman, accelerator, stream, ws.HostHuffman, plan.TableSets * HuffmanLayout.SetStride);
            ArrayView<int> tileBlocks = Upload(ws.TileBlocks, accelerator, stream, ws.HostTileBlocks, j);
            patches = Upload(ws.Patches, accelerator, stream, ws.HostPatches, job.Windows.Length * PatchRecord.Size);
            cells = Upload(ws.Cells, accelerator, stream, ws.HostCells, plan.CellCount);
            slots = ws.Slots.View(accelerator, plan.Slots * slotShape.SlotBytes);
            if (plan.HostTiles.Count > 0)
            {
                long bytes = plan.HostTiles.Count * slotShape.SlotBytes;
                slots.SubView(j * slotShape.SlotBytes, bytes).CopyFromCPUUnsafeAsync(stream, ref ws.HostSlots.First, bytes);
            }

            coefficients = ws.Coefficients.View(accelerator, plan.Coefficients);
            planes = ws.Planes.View(accelerator, plan.Coefficients);
            status = ws.Status.View(accelerator, j);
            upload = clock.Lap();
            if (j > 0)
            {
                if (parallelFor)
                {
                    ParallelForRunner.Huffman(j, data, descriptors, huffmanTables, natural, coefficients, status);
                    huffman = clock.Lap();
                    ParallelForRunner.Idct(plan.Blocks, descriptors, tileBlocks, j, coefficients, quant, status, planes);
                    idct = clock.Lap();
                    ParallelForRunner.Color(j * tilePixels, descriptors, status, planes, slots, slotShape);
                    color = clock.Lap();
                }
                else
                {
                    kernels!.Huffman(stream, j, data, descriptors, huffmanTables, natural, coefficients, status);
                    huffman = clock.Lap();
                    kernels!.Idct(stream, plan.Blocks, descriptors, tileBlocks, j, coefficients, quant, status, planes);
                    idct = clock.Lap();
                    kernels!.Color(stream, j * tilePixels, descriptors, status, planes, slots, slotShape);
                    color = clock.Lap();
                }

                status.CopyToCPUUnsafeAsync(stream, ref ws.HostStatus.First, j);
            }
        }

        stream.Synchronize();
        int fallbacks = Fallback(plan, ws, slots, slotShape, failure);
        TimeSpan fallback = clock.Lap();

        lock (device.Gate)
        {
            device.Bind();
            FillColor fill = job.Fill;
            var patchShape = new PatchShape(job.Width, job.Height, slotShape, fill.R, fill.G, fill.B, fill.A);
            int pixels = job.Windows.Length * job.Width * job.Height;
            if (parallelFor)
            {
                ParallelForRunner.Assemble(pixels, patches, cells, slots, output, patchShape);
            }
            else
            {
                kernels!.Assemble(stream, pixels, patches, cells, slots, output, patchShape);
            }
        }

        stream.Synchronize();
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
            Fallback = fallback,
            Assembly = assembly,
            PhasesSynchronized = synchronize,
            DeviceTiles = j,
            CpuTiles = plan.HostTiles.Count,
            FallbackTiles = fallbacks,
            MissingTiles = plan.Order.Count(t => t.Route == TileRoute.Missing),
            TableSets = plan.TableSets,
            CompressedBytes = job.Counters.CompressedBytes,
        };
        return (timings, [.. plan.Order.Select(t => t.Outcome())]);
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
        ReadOnlySpan<int> status = ws.HostStatus.Span;
        int count = 0;
        for (int k = 0; k < plan.DeviceTiles.Count; k++)
        {
            TileWork work = plan.DeviceTiles[k];
            work.DeviceStatus = status[k];
            if (status[k] == JpegStatus.Ok)
            {
                continue;
            }

            count++;
            work.FellBack = true;
            work.HostReason = "device decode failed: " + JpegStatus.Describe(status[k]);
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
