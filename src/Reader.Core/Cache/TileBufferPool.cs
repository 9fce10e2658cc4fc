namespace Reader.Core.Cache;

/// <summary>
/// Free tile buffers for every cache in the process. ArrayPool.Shared keeps only a few arrays per size:
/// under eviction churn it allocated ~330 MB per pass of the default slide; and a new cache would fault in
/// up to its whole capacity of fresh memory (measured at 10-18% of an unaligned scan of a 4,700-tile
/// slide) where buffers of a disposed one can serve. Bounded in bytes, and emptied after a full garbage
/// collection that saw no use.
/// </summary>
internal static class TileBufferPool
{
    private const long MaxBytes = TileCache.DefaultCapacity;
    private static readonly Dictionary<int, Stack<byte[]>> Free = [];
    private static long bytes;
    private static bool usedSinceLastCollection;

    static TileBufferPool()
    {
        _ = new Trimmer();
    }

    public static byte[] Rent(int size)
    {
        lock (Free)
        {
            usedSinceLastCollection = true;
            if (Free.TryGetValue(size, out Stack<byte[]>? stack) && stack.Count > 0)
            {
                bytes -= size;
                return stack.Pop();
            }
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    public static void Return(byte[] buffer)
    {
        lock (Free)
        {
            if (bytes + buffer.Length > MaxBytes)
            {
                return;
            }

            if (!Free.TryGetValue(buffer.Length, out Stack<byte[]>? stack))
            {
                Free[buffer.Length] = stack = new Stack<byte[]>();
            }

            stack.Push(buffer);
            bytes += buffer.Length;
        }
    }

    /// <summary>Runs at every gen-2 collection (a finalizer that re-registers itself).</summary>
    private sealed class Trimmer
    {
        ~Trimmer()
        {
            if (Environment.HasShutdownStarted)
            {
                return;
            }

            lock (Free)
            {
                if (!usedSinceLastCollection)
                {
                    Free.Clear();
                    bytes = 0;
                }

                usedSinceLastCollection = false;
            }

            GC.ReRegisterForFinalize(this);
        }
    }
}
