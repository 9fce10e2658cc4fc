using System.Runtime.InteropServices;
using ILGPU.Runtime;

namespace Reader.Gpu.Host;

/// <summary>
/// A grow-only host buffer that uploads come from: page-locked (pinned by the driver, so CUDA copies are
/// truly asynchronous) where the accelerator supports it, else a pinned managed array.
/// </summary>
internal sealed class HostStaging<T> : IDisposable
    where T : unmanaged
{
    private PageLockedArray1D<T>? locked;
    private T[]? pinned;

    /// <summary>Elements available.</summary>
    public int Capacity { get; private set; }

    public Span<T> Span => locked is not null ? locked.Span : pinned.AsSpan();

    /// <summary>The first element (for the copy calls that take a host address).</summary>
    public ref T First => ref MemoryMarshal.GetReference(Span);

    /// <summary>Makes room for <paramref name="count"/> elements (contents are lost when it grows).</summary>
    public void Ensure(Accelerator accelerator, int count, bool pageLock)
    {
        if (count <= Capacity && Capacity > 0)
        {
            return;
        }

        Release();
        int size = (int)Math.Min(Array.MaxLength, Math.Max(count + (count / 4), 1024));
        if (pageLock)
        {
            try
            {
                locked = accelerator.AllocatePageLocked1D<T>(size, uninitialized: true);
                Capacity = size;
                return;
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or AcceleratorException)
            {
                locked = null; // e.g. OpenCL: no page locking; a pinned array does
            }
        }

        pinned = GC.AllocateUninitializedArray<T>(size, pinned: true);
        Capacity = size;
    }

    public void Dispose() => Release();

    private void Release()
    {
        locked?.Dispose();
        locked = null;
        pinned = null;
        Capacity = 0;
    }
}
