using System.Buffers;
using System.Collections.Concurrent;

namespace Reader.Core.Batch;

/// <summary>
/// A batch of patches in one contiguous N x H x W x C buffer (C = 3 or 4), rented from a pool
/// and returned when the batch is disposed: dispose every batch you receive. The batch is the
/// <see cref="IMemoryOwner{T}"/> of its <see cref="Data"/>, so it can be handed, with ownership,
/// to APIs that take one.
/// </summary>
public sealed class PatchBatch : IMemoryOwner<byte>
{
    private byte[]? buffer;

    internal PatchBatch(int index, ReadOnlyMemory<PatchLocation> locations, int width, int height, PixelFormat format)
    {
        Index = index;
        Locations = locations;
        Width = width;
        Height = height;
        Format = format;
        buffer = PatchBufferPool.Rent(checked(locations.Length * PatchBytes));
    }

    /// <summary>The batch's position in the sequence (0-based).</summary>
    public int Index { get; }

    /// <summary>Patches in this batch.</summary>
    public int Count => Locations.Length;

    public int Width { get; }

    public int Height { get; }

    public PixelFormat Format { get; }

    /// <summary>Channels per pixel (3 or 4).</summary>
    public int Channels => Format.BytesPerPixel();

    /// <summary>Each patch's level-0 location, in batch order.</summary>
    public ReadOnlyMemory<PatchLocation> Locations { get; }

    /// <summary>N, H, W, C.</summary>
    public IReadOnlyList<int> Shape => [Count, Height, Width, Channels];

    /// <summary>Bytes of one patch.</summary>
    public int PatchBytes => Width * Height * Format.BytesPerPixel();

    /// <summary>All patches, N x H x W x C, rows packed.</summary>
    public Memory<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(buffer is null, this);
            return buffer.AsMemory(0, Count * PatchBytes);
        }
    }

    /// <summary>The same memory as <see cref="Data"/>; throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    Memory<byte> IMemoryOwner<byte>.Memory => Data;

    /// <summary>Patch <paramref name="i"/>.</summary>
    public Span<byte> Patch(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        return Data.Span.Slice(i * PatchBytes, PatchBytes);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        byte[]? b = Interlocked.Exchange(ref buffer, null);
        if (b is not null)
        {
            PatchBufferPool.Return(b);
        }
    }
}

/// <summary>Recycles batch buffers (a training loader asks for the same size again and again).</summary>
internal static class PatchBufferPool
{
    private static readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> Free = new();
    private static long outstanding;

    /// <summary>Buffers handed out and not yet returned (leak checks).</summary>
    public static long Outstanding => Interlocked.Read(ref outstanding);

    public static byte[] Rent(int bytes)
    {
        Interlocked.Increment(ref outstanding);
        if (Free.TryGetValue(bytes, out ConcurrentBag<byte[]>? bag) && bag.TryTake(out byte[]? buffer))
        {
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(bytes);
    }

    public static void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref outstanding);
        ConcurrentBag<byte[]> bag = Free.GetOrAdd(buffer.Length, _ => []);
        if (bag.Count < 16)
        {
            bag.Add(buffer);
        }
    }
}
