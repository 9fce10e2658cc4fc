namespace Reader.Core.Sources.Remote;

/// <summary>What the block cache has done since it was made.</summary>
/// <param name="Hits">Block lookups served from memory.</param>
/// <param name="Misses">Block lookups that needed a request (or waited for one another reader had made).</param>
/// <param name="Requests">Requests sent by the sources using this cache (retries included).</param>
/// <param name="BytesFetched">Bytes those requests returned.</param>
/// <param name="BytesHeld">Bytes cached now.</param>
/// <param name="Blocks">Blocks cached now.</param>
public readonly record struct RemoteCacheStatistics(long Hits, long Misses, long Requests, long BytesFetched, long BytesHeld, int Blocks);

/// <summary>
/// Blocks of remote objects, shared by every remote slide of a process: aligned, bounded in bytes, least recently
/// used first out, and single-flight (a block being fetched is awaited by the other readers that need it, never
/// fetched twice). Blocks are keyed by object and version, so two versions of an object never mix. Thread-safe.
/// </summary>
public sealed class RemoteBlockCache
{
    private readonly Lock gate = new();
    private readonly Dictionary<BlockKey, LinkedListNode<Entry>> blocks = [];
    private readonly Dictionary<BlockKey, TaskCompletionSource<byte[]>> fetching = [];
    private readonly LinkedList<Entry> recency = new();
    private long held;
    private long hits;
    private long misses;
    private long requests;
    private long bytesFetched;

    /// <summary>A cache holding at most <paramref name="capacity"/> bytes of blocks.</summary>
    public RemoteBlockCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The process-wide cache: 256 MiB.</summary>
    public static RemoteBlockCache Shared { get; } = new(256L << 20);

    /// <summary>Bytes the cache may hold.</summary>
    public long Capacity { get; }

    /// <summary>Counters and occupancy now.</summary>
    public RemoteCacheStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new RemoteCacheStatistics(hits, misses, requests, bytesFetched, held, blocks.Count);
            }
        }
    }

    /// <summary>Empties the cache (counters are kept).</summary>
    public void Clear()
    {
        lock (gate)
        {
            blocks.Clear();
            recency.Clear();
            held = 0;
        }
    }

    /// <summary>
    /// The block if cached; else the fetch another reader has under way; else a claim: the caller fetches the block
    /// and must settle the claim (<see cref="Complete"/> or <see cref="Fail"/>).
    /// </summary>
    internal BlockLookup Lookup(BlockKey key)
    {
        lock (gate)
        {
            if (blocks.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                hits++;
                recency.Remove(node);
                recency.AddFirst(node);
                return new BlockLookup(node.Value.Data, null, null);
            }

            misses++;
            if (fetching.TryGetValue(key, out TaskCompletionSource<byte[]>? pending))
            {
                return new BlockLookup(null, pending.Task, null);
            }

            var claim = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            fetching[key] = claim;
            return new BlockLookup(null, claim.Task, claim);
        }
    }

    /// <summary>Stores a claimed block and wakes its waiters.</summary>
    internal void Complete(BlockKey key, TaskCompletionSource<byte[]> claim, byte[] data)
    {
        lock (gate)
        {
            fetching.Remove(key);
            if (data.Length <= Capacity && !blocks.ContainsKey(key))
            {
                blocks[key] = recency.AddFirst(new Entry(key, data));
                held += data.Length;
                while (held > Capacity && recency.Last is { } oldest)
                {
                    recency.RemoveLast();
                    blocks.Remove(oldest.Value.Key);
                    held -= oldest.Value.Data.Length;
                }
            }
        }

        claim.TrySetResult(data);
    }

    /// <summary>Releases a claimed block whose fetch failed; its waiters see the failure.</summary>
    internal void Fail(BlockKey key, TaskCompletionSource<byte[]> claim, Exception error)
    {
        lock (gate)
        {
            fetching.Remove(key);
        }

        claim.TrySetException(error);
    }

    internal void CountRequest(long bytes)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref bytesFetched, bytes);
    }

    private readonly record struct Entry(BlockKey Key, byte[] Data);
}

/// <summary>A block of one version of one object.</summary>
internal readonly record struct BlockKey(string Object, long Index);

/// <summary>A lookup's outcome: the block, or a task for it, and the claim when this reader must fetch it.</summary>
internal readonly record struct BlockLookup(byte[]? Block, Task<byte[]>? Pending, TaskCompletionSource<byte[]>? Claim);
