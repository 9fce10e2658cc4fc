using ILGPU;
using ILGPU.Runtime;

namespace Reader.Gpu.Host;

/// <summary>A grow-only device buffer; <see cref="View"/> hands out exactly the length asked for.</summary>
internal sealed class DeviceArray<T> : IDisposable
    where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? buffer;

    /// <summary>A view of <paramref name="length"/> elements (reallocated, contents lost, when too small). Call with the device bound.</summary>
    public ArrayView<T> View(Accelerator accelerator, long length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = accelerator.Allocate1D<T>(Math.Max(64, length + (length / 4)));
        }

        return buffer.View.SubView(0, length);
    }

    public void Dispose()
    {
        buffer?.Dispose();
        buffer = null;
    }
}
