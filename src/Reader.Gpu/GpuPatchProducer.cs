using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Batch;
using Reader.Gpu.Accelerators;
using Reader.Gpu.Host;

namespace Reader.Gpu;

/// <summary>
/// The device backend of Reader.Core's batch pipeline. Produce (on the workers, concurrently) places a
/// patch and gathers the tiles it needs: compressed bytes and parsed headers for the device, CPU
/// decodes for the rest, each distinct tile once per batch. Complete runs the kernels for the whole batch.
/// </summary>
internal sealed class GpuPatchProducer(GpuDevice device, BatchExecutor executor, LevelSource level, TileGatherer gatherer, int width, int height, int batchSize, FillColor fill, DeviceTileCache? cache)
    : BatchProducer<DeviceBatch>
{
    public override DeviceBatch Begin(int batchIndex, ReadOnlyMemory<PatchLocation> locations) =>
        new(device, batchIndex, locations, [], locations.Length, width, height, gatherer.Format)
        {
            Job = new BatchJob(gatherer, locations.Length, width, height, fill, cache),
        };

    public override void Produce(DeviceBatch batch, int slot, PatchLocation location)
    {
        (long x, long y) = Slide.ToLevelPixels(level, location.X, location.Y);
        batch.Job!.Produce(slot, x, y);
    }

    public override void Complete(DeviceBatch batch)
    {
        BatchJob job = batch.Job!;
        try
        {
            ILGPU.ArrayView<byte> output;
            lock (device.Gate)
            {
                device.Bind();
                output = batch.Allocate();
            }

            (BatchTimings timings, IReadOnlyList<TileOutcome> tiles) = executor.Run(job, output, (work, e) => Failure(batch, job, work, e));
            batch.Finish(timings, tiles);
        }
        finally
        {
            batch.Job = null;
            job.Release();
        }
    }

    public override void Abandon(DeviceBatch batch)
    {
        batch.Job?.Release();
        batch.Job = null;
        batch.Dispose();
    }

    /// <summary>A tile's CPU decode failed after its device decode did: name the first patch of the batch that needs it, as the CPU batches do.</summary>
    private PatchReadException Failure(DeviceBatch batch, BatchJob job, TileWork work, Exception e)
    {
        int slot = job.FirstPatchUsing(work);
        return new PatchReadException((batch.Index * batchSize) + slot, batch.Locations.Span[slot], level.Info.Index, e);
    }
}
