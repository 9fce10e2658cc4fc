using System.Runtime.ExceptionServices;
using ILGPU.Runtime;
using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Batch;
using Reader.Gpu.Accelerators;
using Reader.Gpu.Host;

namespace Reader.Gpu;

/// <summary>
/// Decodes slide tiles into device memory with ILGPU kernels: JPEG tiles on the accelerator (Huffman per
/// tile, IDCT per block, colour per pixel, assembly per output pixel), everything else on the CPU and
/// assembled on the accelerator. The accelerator (CUDA, OpenCL, or ILGPU's CPU accelerator) and its
/// kernels are shared by every decoder in the process and loaded once. Thread-safe.
/// </summary>
public sealed class GpuDecoder : IDisposable
{
    private readonly GpuDevice device;
    private readonly BatchExecutor executor;
    private bool disposed;

    /// <summary>Chooses (or reuses) the accelerator and loads the kernels; throws <see cref="GpuUnavailableException"/> when a forced accelerator is unavailable.</summary>
    public GpuDecoder(GpuReaderOptions? options = null)
    {
        Options = options ?? GpuReaderOptions.Default;
        device = GpuDevice.For(Options);
        if (Options.Execution == KernelExecution.ParallelFor && device.Accelerator.AcceleratorType != AcceleratorType.CPU)
        {
            throw new ArgumentException("KernelExecution.ParallelFor runs on host-addressable memory: it needs the CPU accelerator", nameof(options));
        }

        if (Options.Execution == KernelExecution.Kernels)
        {
            _ = device.Kernels; // load once per process, off the request path
        }
        executor = new BatchExecutor(device, Options);
    }

    public GpuReaderOptions Options { get; }

    /// <summary>The accelerator in use, how it was chosen, and why the others were not.</summary>
    public AcceleratorChoice Choice => device.Choice;

    /// <summary>The ILGPU accelerator (for your own kernels on the batches).</summary>
    public Accelerator Accelerator => device.Accelerator;

    /// <summary>The device state (lock, bound accelerator, buffer pool) shared with the loader's device batches.</summary>
    internal GpuDevice Device => device;

    /// <summary>How long this process took to compile and load the kernels on this accelerator (paid once).</summary>
    public TimeSpan KernelLoadTime => device.KernelLoadTime;

    /// <summary>Device batch buffers handed out and not yet returned, over the whole process (leak checks).</summary>
    public static long OutstandingDeviceBuffers => DeviceBufferPool.Outstanding;

    /// <summary>Null when a CUDA or OpenCL device is usable, else why not (nothing is kept open).</summary>
    public static string? FindGpu() => AcceleratorSelector.ProbeGpu();

    /// <summary>
    /// Decodes whole tiles of <paramref name="level"/> into one device batch of N x TileHeight x TileWidth x C,
    /// in the order given. Pixels of edge tiles beyond the level are the slide's fill colour. A tile the
    /// device cannot decode is decoded on the CPU; one the CPU cannot decode either throws the typed
    /// <see cref="SlideException"/> naming file, level and tile.
    /// </summary>
    public DeviceBatch DecodeTiles(Slide slide, int level, IReadOnlyList<TileIndex> tiles, PixelFormat format = PixelFormat.Rgb24)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfZero(tiles.Count, nameof(tiles));
        ObjectDisposedException.ThrowIf(disposed, this);
        SlideLevel info = slide.Levels[Math.Clamp(level, 0, slide.Levels.Count - 1)];
        LevelSource source = slide.CheckedLevel(level, info.TileWidth, info.TileHeight, format);
        var gatherer = new TileGatherer(source, format);
        long across = gatherer.Grid.TilesAcross, down = gatherer.Grid.TilesDown;
        foreach (TileIndex t in tiles)
        {
            if (t.Column < 0 || t.Row < 0 || t.Column >= across || t.Row >= down)
            {
                throw new ArgumentOutOfRangeException(nameof(tiles), t, $"level {level} has {across} x {down} tiles");
            }
        }

        int tw = gatherer.Grid.TileWidth, th = gatherer.Grid.TileHeight;
        var job = new BatchJob(gatherer, tiles.Count, tw, th, slide.Options.Fill);
        var batch = new DeviceBatch(device, 0, ReadOnlyMemory<PatchLocation>.Empty, [.. tiles], tiles.Count, tw, th, format);
        try
        {
            try
            {
                Parallel.For(0, tiles.Count, i => job.Produce(i, tiles[i].Column * tw, tiles[i].Row * th));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }

            ILGPU.ArrayView<byte> output;
            lock (device.Gate)
            {
                device.Bind();
                output = batch.Allocate();
            }

            (BatchTimings timings, IReadOnlyList<TileOutcome> outcomes) = executor.Run(job, output, (_, e) => e);
            batch.Finish(timings, outcomes);
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
        finally
        {
            job.Release();
        }
    }

    /// <summary>
    /// Reads <paramref name="width"/> x <paramref name="height"/> patches of <paramref name="level"/> in device
    /// batches with Reader.Core's batch pipeline (workers gather tiles concurrently; the kernels decode each
    /// batch as a whole). Order and contents equal <see cref="Slide.ReadRegions"/> for the same options.
    /// Consume it with <c>await foreach</c> (the primary form; <c>foreach</c> works too); nothing is read
    /// until the first MoveNext. <paramref name="cancellationToken"/> stops the workers of every enumeration
    /// and returns pending device buffers; a token given to <c>GetAsyncEnumerator</c> works too.
    /// </summary>
    public DeviceBatches ReadRegions(Slide slide, IReadOnlyList<PatchLocation> locations, int width, int height, int level = 0, BatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentNullException.ThrowIfNull(locations);
        ObjectDisposedException.ThrowIf(disposed, this);
        options ??= BatchOptions.Default;
        LevelSource source = slide.CheckedLevel(level, width, height, options.Format);
        var gatherer = new TileGatherer(source, options.Format);
        var producer = new GpuPatchProducer(device, executor, source, gatherer, width, height, options.BatchSize, slide.Options.Fill);
        return new DeviceBatches(new BatchPipeline<DeviceBatch>(producer, locations, level, options, cancellationToken), this);
    }

    /// <summary>The decoder holds nothing of its own: the accelerator, kernels and pools live for the process.</summary>
    public void Dispose() => disposed = true;
}
