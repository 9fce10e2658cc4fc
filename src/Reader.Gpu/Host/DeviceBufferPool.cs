using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;

namespace Reader.Gpu.Host;

/// <summary>
/// Recycles batch output buffers on one device (a loader asks for the same N x H x W x C again and again).
/// <see cref="Outstanding"/> counts buffers handed out and not yet returned, over every device, for leak checks.
/// </summary>
internal sealed class DeviceBufferPool : IDisposable
{
    private const int KeepPerSize = 4;
    private static long outstanding;
    private readonly ConcurrentDictionary<long, ConcurrentBag<MemoryBuffer1D<byte, Stride1D.Dense>>> free = new();

    public static long Outstanding => Interlocked.Read(ref outstanding);

    /// <summary>A buffer of exactly <paramref name="bytes"/>; call with the device bound.</summary>
    public MemoryBuffer1D<byte, Stride1D.Dense> Rent(Accelerator accelerator, long bytes)
    {
        if (!free.TryGetValue(bytes, out var bag) || !bag.TryTake(out var buffer))
        {
            buffer = accelerator.Allocate1D<byte>(Math.Max(1, bytes)); // counted only once it exists
        }

        Interlocked.Increment(ref outstanding);
        return buffer;
    }

    /// <summary>Takes a buffer back; returns one to dispose (with the device bound) when the pool already keeps enough of its size.</summary>
    public MemoryBuffer1D<byte, Stride1D.Dense>? Return(MemoryBuffer1D<byte, Stride1D.Dense> buffer, long bytes)
    {
        Interlocked.Decrement(ref outstanding);
        var bag = free.GetOrAdd(bytes, _ => []);
        if (bag.Count >= KeepPerSize)
        {
            return buffer;
        }

        bag.Add(buffer);
        return null;
    }

    public void Dispose()
    {
        foreach (var bag in free.Values)
        {
            while (bag.TryTake(out var buffer))
            {
                buffer.Dispose();
            }
        }
    }
}
