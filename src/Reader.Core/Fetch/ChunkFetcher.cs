using System.Buffers;
using Reader.Core.Open;

namespace Reader.Core.Fetch;

/// <summary>Reads the compressed bytes of one tile or strip into a pooled buffer.</summary>
internal static class ChunkFetcher
{
    /// <summary>
    /// Returns a rented array holding chunk <paramref name="index"/> in its first
    /// <paramref name="length"/> bytes (return it to <see cref="ArrayPool{T}.Shared"/>),
    /// or null for a missing (sparse) chunk.
    /// </summary>
    public static byte[]? Read(TiffImage image, long index, ErrorSite where, out int length)
    {
        if (!image.TryGetChunk(index, where, out long offset, out length))
        {
            return null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            image.Directory.Container.File.ReadExactly(offset, buffer.AsSpan(0, length), where);
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
