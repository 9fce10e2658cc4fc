using System.Buffers;
using Reader.Core;

namespace Reader.Loader;

/// <summary>
/// A batch of loader patches: pixels N x H x W x C (uint8, rows packed) in a pooled buffer, and per patch its label
/// index (-1: none or skipped), slide index and level-0 origin. Dispose it to return the buffer.
/// </summary>
public sealed class LoaderBatch : IMemoryOwner<byte>
{
    private byte[]? buffer;

    internal LoaderBatch(int index, int first, ReadOnlyMemory<LoaderPatch> patches, int width, int height, PixelFormat format)
    {
        Index = index;
        First = first;
        Patches = patches;
        Width = width;
        Height = height;
        Format = format;
        buffer = ArrayPool<byte>.Shared.Rent(checked(patches.Length * PatchBytes));
        Labels = new int[patches.Length];
        Skipped = new bool[patches.Length];
        ReadOnlySpan<LoaderPatch> span = patches.Span;
        for (int i = 0; i < span.Length; i++)
        {
            Labels[i] = span[i].Label;
        }
    }

    /// <summary>The batch's position in the epoch.</summary>
    public int Index { get; }

    /// <summary>The position in the epoch of the batch's first patch.</summary>
    public int First { get; }

    /// <summary>Patches in the batch.</summary>
    public int Count => Patches.Length;

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Pixel format.</summary>
    public PixelFormat Format { get; }

    /// <summary>Channels (3 or 4).</summary>
    public int Channels => Format.BytesPerPixel();

    /// <summary>Bytes of one patch.</summary>
    public int PatchBytes => Width * Height * Format.BytesPerPixel();

    /// <summary>N, H, W, C.</summary>
    public IReadOnlyList<int> Shape => [Count, Height, Width, Channels];

    /// <summary>The patches, in batch order.</summary>
    public ReadOnlyMemory<LoaderPatch> Patches { get; }

    /// <summary>Label index per patch (-1: none, or skipped).</summary>
    public int[] Labels { get; }

    /// <summary>Per patch: its slide could not be read and <see cref="LoaderOptions.SkipUnreadable"/> is on (pixels zero).</summary>
    public bool[] Skipped { get; }

    /// <summary>All pixels, N x H x W x C.</summary>
    public Memory<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(buffer is null, this);
            return buffer.AsMemory(0, Count * PatchBytes);
        }
    }

    Memory<byte> IMemoryOwner<byte>.Memory => Data;

    /// <summary>Patch <paramref name="i"/>'s pixels.</summary>
    public Span<byte> Patch(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        return Data.Span.Slice(i * PatchBytes, PatchBytes);
    }

    /// <summary>Returns the buffer.</summary>
    public void Dispose()
    {
        byte[]? b = Interlocked.Exchange(ref buffer, null);
        if (b is not null)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
