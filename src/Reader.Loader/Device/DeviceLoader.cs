using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Gpu.Accelerators;

namespace Reader.Loader;

/// <summary>
/// Device batches of a dataset through the GPU path: each batch's patches are read per slide by
/// <see cref="GpuDecoder.ReadRegions"/> (compressed tiles decoded and assembled on the device, host fallback where a
/// codec has no kernel), resized on the device by <see cref="GpuResampler"/> when the patch shape asks, gathered into
/// one N x H x W x C buffer, and transformed by <see cref="DeviceTransform"/> in a kernel. Pixels equal the host
/// batches of <see cref="SlideDataset.Batches(int, CancellationToken)"/> before the transform (the decoder and resampler are
/// byte-identical to the CPU path), and the transform equals <see cref="DeviceTransform.ApplyOnHost"/>.
/// </summary>
public sealed class DeviceLoader
{
    private readonly SlideDataset dataset;
    private readonly GpuDecoder decoder;
    private readonly GpuDevice device;
    private readonly GpuResampler resampler;
    private readonly Lazy<Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<float>, TransformShape>> floatKernel;
    private readonly Lazy<Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<byte>, TransformShape>> byteKernel;

    /// <summary>Device batches of <paramref name="dataset"/> on <paramref name="decoder"/>'s accelerator.</summary>
    public DeviceLoader(SlideDataset dataset, GpuDecoder decoder, DeviceTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(decoder);
        this.dataset = dataset;
        this.decoder = decoder;
        device = decoder.Device;
        resampler = new GpuResampler(decoder);
        Transform = transform ?? DeviceTransform.Default;
        _ = Transform.Shape(1, dataset.Options.Patch.Height, dataset.Options.Patch.Width, dataset.Options.Format.BytesPerPixel()); // validate now
        floatKernel = new(() => device.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<float>, TransformShape>(TransformBody.FloatKernel));
        byteKernel = new(() => device.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<byte>, TransformShape>(TransformBody.ByteKernel));
    }

    /// <summary>The transform applied to every batch.</summary>
    public DeviceTransform Transform { get; }

    /// <summary>This rank's device batches of <paramref name="epoch"/>.</summary>
    public IAsyncEnumerable<DeviceLoaderBatch> Batches(int epoch, CancellationToken cancellationToken = default) => Batches(dataset.Epoch(epoch), epoch, cancellationToken);

    /// <summary>Device batches of a patch list (augmentation seeded as epoch <paramref name="epoch"/>).</summary>
    public async IAsyncEnumerable<DeviceLoaderBatch> Batches(IReadOnlyList<LoaderPatch> patches, int epoch, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patches);
        LoaderPatch[] all = [.. patches];
        int size = dataset.Options.BatchSize;
        int count = dataset.Options.DropLast ? all.Length / size * size : all.Length;
        for (int first = 0, index = 0; first < count; first += size, index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlyMemory<LoaderPatch> slice = all.AsMemory(first, Math.Min(size, count - first));
            yield return await Task.Run(() => Read(index, first, slice, epoch, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    private DeviceLoaderBatch Read(int index, int first, ReadOnlyMemory<LoaderPatch> patches, int epoch, CancellationToken cancellationToken)
    {
        LoaderOptions o = dataset.Options;
        int n = patches.Length, w = o.Patch.Width, h = o.Patch.Height, channels = o.Format.BytesPerPixel();
        long patchBytes = (long)w * h * channels;
        var labels = new int[n];
        var skipped = new bool[n];
        var codes = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = patches.Span[i].Label;
            codes[i] = Transform.CodeOf(epoch, first + i);
        }

        MemoryBuffer1D<byte, Stride1D.Dense> assembled;
        lock (device.Gate)
        {
            device.Bind();
            assembled = device.Accelerator.Allocate1D<byte>(n * patchBytes);
        }

        try
        {
            // Slides in order of first appearance; each slide's patches in one device read.
            foreach (IGrouping<int, int> group in Enumerable.Range(0, n).GroupBy(i => patches.Span[i].Slide))
            {
                int[] slots = [.. group];
                if (!dataset.IsSkipped(group.Key))
                {
                    try
                    {
                        ReadSlide(group.Key, slots, patches, assembled.View, patchBytes, cancellationToken);
                        continue;
                    }
                    catch (Exception e) when (o.SkipUnreadable && e is SlideException or IOException or UnauthorizedAccessException)
                    {
                        dataset.Skip(group.Key, e);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LoaderPatch p = patches.Span[slots[0]];
                        throw e as LoaderPatchException ?? new LoaderPatchException(first + slots[0], dataset.Slides[p.Slide].Path, p, e);
                    }
                }

                lock (device.Gate)
                {
                    device.Bind();
                    foreach (int slot in slots)
                    {
                        assembled.View.SubView(slot * patchBytes, patchBytes).MemSetToZero(device.Accelerator.DefaultStream);
                        labels[slot] = -1;
                        skipped[slot] = true;
                    }
                }
            }

            return Finish(index, patches, labels, skipped, codes, assembled, w, h, channels);
        }
        catch
        {
            lock (device.Gate)
            {
                device.Bind();
                assembled.Dispose();
            }

            throw;
        }
    }

    private void ReadSlide(int slide, int[] slots, ReadOnlyMemory<LoaderPatch> patches, ArrayView<byte> assembled, long patchBytes, CancellationToken cancellationToken)
    {
        LoaderOptions o = dataset.Options;
        using SlidePool.SlideLease lease = dataset.Pool.Rent(slide);
        PatchGeometry g = dataset.DataOf(slide, lease.Slide).Geometry;
        var locations = slots.Select(s => new PatchLocation(patches.Span[s].X, patches.Span[s].Y)).ToArray();
        int channels = o.Format.BytesPerPixel();
        long sourceBytes = (long)g.SourceWidth * g.SourceHeight * channels;
        DeviceBatches read = decoder.ReadRegions(lease.Slide, locations, g.SourceWidth, g.SourceHeight, g.Level, new BatchOptions { BatchSize = locations.Length, Workers = 1, Prefetch = 1, Format = o.Format }, cancellationToken);
        foreach (DeviceBatch batch in read)
        {
            using (batch)
            {
                lock (device.Gate)
                {
                    device.Bind();
                    AcceleratorStream stream = device.Accelerator.DefaultStream;
                    for (int j = 0; j < slots.Length; j++)
                    {
                        ArrayView<byte> source = batch.View.SubView(j * sourceBytes, sourceBytes);
                        ArrayView<byte> target = assembled.SubView(slots[j] * patchBytes, patchBytes);
                        if (g.Resized)
                        {
                            resampler.Resample(stream, source, g.SourceWidth, g.SourceHeight, channels, target, g.Width, g.Height);
                        }
                        else
                        {
                            source.CopyTo(stream, target);
                        }
                    }

                    stream.Synchronize(); // the decoder's buffer goes back to its pool when the batch is disposed
                }
            }
        }
    }

    private DeviceLoaderBatch Finish(int index, ReadOnlyMemory<LoaderPatch> patches, int[] labels, bool[] skipped, int[] codes, MemoryBuffer1D<byte, Stride1D.Dense> assembled, int w, int h, int channels)
    {
        int n = patches.Length;
        TransformShape shape = Transform.Shape(n, h, w, channels);
        lock (device.Gate)
        {
            device.Bind();
            AcceleratorStream stream = device.Accelerator.DefaultStream;
            using MemoryBuffer1D<int, Stride1D.Dense> deviceCodes = device.Accelerator.Allocate1D(codes);
            if (Transform.ToFloat)
            {
                MemoryBuffer1D<float, Stride1D.Dense> output = device.Accelerator.Allocate1D<float>(assembled.Length);
                floatKernel.Value(stream, (int)assembled.Length, assembled.View, deviceCodes.View, output.View, shape);
                stream.Synchronize();
                assembled.Dispose();
                return new DeviceLoaderBatch(device, index, patches, labels, skipped, w, h, channels, output, null);
            }

            if (codes.All(c => c == 0))
            {
                return new DeviceLoaderBatch(device, index, patches, labels, skipped, w, h, channels, null, assembled);
            }

            MemoryBuffer1D<byte, Stride1D.Dense> augmented = device.Accelerator.Allocate1D<byte>(assembled.Length);
            byteKernel.Value(stream, (int)assembled.Length, assembled.View, deviceCodes.View, augmented.View, shape);
            stream.Synchronize();
            assembled.Dispose();
            return new DeviceLoaderBatch(device, index, patches, labels, skipped, w, h, channels, null, augmented);
        }
    }
}
