using ILGPU;
using ILGPU.Runtime;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu.Accelerators;
using Reader.Gpu.Host;

namespace Reader.Gpu;

/// <summary>
/// A batch of patches (or tiles) in device memory: one contiguous N x H x W x C buffer (C = 3 or 4, rows
/// packed) on the accelerator, taken from a pool and returned when the batch is disposed: dispose every
/// batch you receive. Hand <see cref="View"/> to your own ILGPU kernels or <see cref="DevicePointer"/> to
/// any CUDA library; <see cref="CopyTo"/> brings it to the host.
/// </summary>
public sealed class DeviceBatch : IDisposable
{
    private readonly GpuDevice device;
    private MemoryBuffer1D<byte, Stride1D.Dense>? buffer;
    private bool disposed;

    internal DeviceBatch(GpuDevice device, int index, ReadOnlyMemory<PatchLocation> locations, IReadOnlyList<TileIndex> tiles, int count, int width, int height, PixelFormat format)
    {
        this.device = device;
        Index = index;
        Locations = locations;
        Tiles = tiles;
        Count = count;
        Width = width;
        Height = height;
        Format = format;
    }

    /// <summary>The batch's position in the sequence (0-based).</summary>
    public int Index { get; }

    /// <summary>Patches (or tiles) in this batch: N.</summary>
    public int Count { get; }

    public int Width { get; }

    public int Height { get; }

    public PixelFormat Format { get; }

    /// <summary>Channels per pixel (3 or 4).</summary>
    public int Channels => Format.BytesPerPixel();

    /// <summary>Each patch's level-0 location, in batch order (empty for <see cref="GpuDecoder.DecodeTiles"/>).</summary>
    public ReadOnlyMemory<PatchLocation> Locations { get; }

    /// <summary>The tiles decoded, in order, for <see cref="GpuDecoder.DecodeTiles"/> (empty for patch batches).</summary>
    public IReadOnlyList<TileIndex> Tiles { get; }

    /// <summary>N, H, W, C.</summary>
    public IReadOnlyList<int> Shape => [Count, Height, Width, Channels];

    /// <summary>Strides in bytes of N, H, W, C (rows packed, pixels interleaved).</summary>
    public IReadOnlyList<long> Strides => [PatchBytes, (long)Width * Channels, Channels, 1];

    /// <summary>Bytes of one patch.</summary>
    public long PatchBytes => (long)Width * Height * Channels;

    public long LengthInBytes => Count * PatchBytes;

    /// <summary>The accelerator the batch lives on.</summary>
    public Accelerator Accelerator => device.Accelerator;

    /// <summary>The accelerator choice (GPU or ILGPU's CPU accelerator).</summary>
    public AcceleratorChoice AcceleratorChoice => device.Choice;

    /// <summary>The batch in device memory, N x H x W x C bytes.</summary>
    public ArrayView<byte> View => Buffer.View.SubView(0, LengthInBytes);

    /// <summary>The raw device address (a CUDA device pointer; for the CPU accelerator the host address).</summary>
    public IntPtr DevicePointer => Buffer.NativePtr;

    /// <summary>Where each tile the batch used was decoded: on the device, on the CPU, after a device failure, or missing.</summary>
    public IReadOnlyList<TileOutcome> TileOutcomes { get; private set; } = [];

    /// <summary>Where the batch's time went.</summary>
    public BatchTimings Timings { get; private set; } = new();

    /// <summary>The host state while the batch is being produced.</summary>
    internal BatchJob? Job { get; set; }

    private MemoryBuffer1D<byte, Stride1D.Dense> Buffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return buffer ?? throw new InvalidOperationException("the batch has not been decoded");
        }
    }

    /// <summary>Copies the whole batch (N x H x W x C) to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, LengthInBytes, nameof(destination));
        lock (device.Gate)
        {
            device.Bind();
            View.CopyToCPU(device.Accelerator.DefaultStream, destination[..(int)LengthInBytes]);
        }
    }

    /// <summary>The whole batch in a new host array.</summary>
    public byte[] ToArray()
    {
        var host = new byte[LengthInBytes];
        CopyTo(host);
        return host;
    }

    /// <summary>Returns the device buffer to the pool.</summary>
    public void Dispose()
    {
        MemoryBuffer1D<byte, Stride1D.Dense>? b;
        lock (device.Gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            b = buffer;
            buffer = null;
            if (b is not null && device.Outputs.Return(b, LengthInBytes) is { } extra)
            {
                device.Bind();
                extra.Dispose();
            }
        }
    }

    /// <summary>Rents the output buffer (call with the device bound).</summary>
    internal ArrayView<byte> Allocate()
    {
        buffer = device.Outputs.Rent(device.Accelerator, LengthInBytes);
        return buffer.View.SubView(0, LengthInBytes);
    }

    internal void Finish(BatchTimings timings, IReadOnlyList<TileOutcome> tiles)
    {
        Timings = timings;
        TileOutcomes = tiles;
    }
}
