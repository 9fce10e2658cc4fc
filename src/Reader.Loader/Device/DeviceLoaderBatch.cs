using ILGPU;
using ILGPU.Runtime;
using Reader.Gpu.Accelerators;

namespace Reader.Loader;

/// <summary>
/// A loader batch in device memory: float N x C x H x W (normalised, augmented) or uint8 N x H x W x C, with its
/// labels, slides and origins on the host. <see cref="DevicePointer"/>, <see cref="Shape"/> and
/// <see cref="Strides"/> (in elements) are what a CUDA-side framework needs to wrap it without a copy
/// (e.g. a DLPack tensor). Dispose it to free the device memory.
/// </summary>
public sealed class DeviceLoaderBatch : IDisposable
{
    private readonly GpuDevice device;
    private MemoryBuffer1D<float, Stride1D.Dense>? floats;
    private MemoryBuffer1D<byte, Stride1D.Dense>? bytes;

    internal DeviceLoaderBatch(GpuDevice device, int index, ReadOnlyMemory<LoaderPatch> patches, int[] labels, bool[] skipped, int width, int height, int channels, MemoryBuffer1D<float, Stride1D.Dense>? floats, MemoryBuffer1D<byte, Stride1D.Dense>? bytes)
    {
        this.device = device;
        Index = index;
        Patches = patches;
        Labels = labels;
        Skipped = skipped;
        Width = width;
        Height = height;
        Channels = channels;
        this.floats = floats;
        this.bytes = bytes;
    }

    /// <summary>The batch's position in the epoch.</summary>
    public int Index { get; }

    /// <summary>Patches in the batch.</summary>
    public int Count => Patches.Length;

    /// <summary>Width.</summary>
    public int Width { get; }

    /// <summary>Height.</summary>
    public int Height { get; }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Whether the data is float N x C x H x W (else uint8 N x H x W x C).</summary>
    public bool IsFloat => floats is not null;

    /// <summary>The shape: N, C, H, W for floats; N, H, W, C for bytes.</summary>
    public IReadOnlyList<int> Shape => IsFloat ? [Count, Channels, Height, Width] : [Count, Height, Width, Channels];

    /// <summary>Strides in elements, matching <see cref="Shape"/> (dense, row-major).</summary>
    public IReadOnlyList<long> Strides => IsFloat
        ? [(long)Channels * Height * Width, (long)Height * Width, Width, 1]
        : [(long)Height * Width * Channels, (long)Width * Channels, Channels, 1];

    /// <summary>The patches.</summary>
    public ReadOnlyMemory<LoaderPatch> Patches { get; }

    /// <summary>Label index per patch (-1: none or skipped).</summary>
    public int[] Labels { get; }

    /// <summary>Per patch: skipped because its slide could not be read (<see cref="LoaderOptions.SkipUnreadable"/>).</summary>
    public bool[] Skipped { get; }

    /// <summary>The float data (when <see cref="IsFloat"/>).</summary>
    public ArrayView<float> FloatView => floats?.View ?? throw new InvalidOperationException("the batch holds bytes");

    /// <summary>The byte data (when not <see cref="IsFloat"/>).</summary>
    public ArrayView<byte> ByteView => bytes?.View ?? throw new InvalidOperationException("the batch holds floats");

    /// <summary>The device address of the first element.</summary>
    public IntPtr DevicePointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(floats is null && bytes is null, this);
            return floats?.NativePtr ?? bytes!.NativePtr;
        }
    }

    /// <summary>The float data copied to the host.</summary>
    public float[] FloatsToHost()
    {
        lock (device.Gate)
        {
            device.Bind();
            return floats is null ? throw new InvalidOperationException("the batch holds bytes") : floats.GetAsArray1D();
        }
    }

    /// <summary>The byte data copied to the host.</summary>
    public byte[] BytesToHost()
    {
        lock (device.Gate)
        {
            device.Bind();
            return bytes is null ? throw new InvalidOperationException("the batch holds floats") : bytes.GetAsArray1D();
        }
    }

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        lock (device.Gate)
        {
            if (floats is null && bytes is null)
            {
                return;
            }

            device.Bind();
            floats?.Dispose();
            bytes?.Dispose();
            floats = null;
            bytes = null;
        }
    }
}
