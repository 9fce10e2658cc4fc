using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Reader.Core.Cache;

/// <summary>
/// Decoded tiles, bounded in bytes, shared by threads and optionally by several slides (like
/// OpenSlide 4's openslide_cache_t). Lookups are lock-free (a concurrent dictionary and a
/// "recently used" bit); inserts and evictions take one lock, which a miss pays next to a whole
/// tile decode. Eviction is CLOCK (second chance): LRU's order without a lock on every hit.
/// Single-flight: a tile that several threads want is decoded once; the others wait for it.
/// The bound counts every buffer the cache owns, tiles being decoded and evicted tiles still
/// being copied from included; when it cannot make room the read decodes outside the cache.
/// Freed buffers go to the process-wide <see cref="TileBufferPool"/> (bounded on its own, outside this bound).
/// </summary>
public sealed class TileCache : IDisposable
{
    /// <summary>The default capacity: 256 MiB.</summary>
    public const long DefaultCapacity = 256L << 20;

    private static long nextOwnerId;

    private readonly ConcurrentDictionary<TileKey, Entry> entries = new();
    private readonly LinkedList<Entry> clock = [];
    private readonly Lock gate = new();
    private LinkedListNode<Entry>? hand;
    private long bytesInUse;
    private long hits;
    private long misses;
    private long evictions;
    private long bypasses;
    private long peakBytes;
    private bool disposed;

    /// <summary>Creates a cache holding at most <paramref name="capacityBytes"/> bytes of decoded tiles (0 caches nothing).</summary>
    public TileCache(long capacityBytes = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        Capacity = capacityBytes;
    }

    /// <summary>The bound, in bytes.</summary>
    public long Capacity { get; }

    /// <summary>A snapshot of the counters.</summary>
    public TileCacheStatistics Statistics => new(
        Interlocked.Read(ref hits),
        Interlocked.Read(ref misses),
        Interlocked.Read(ref evictions),
        Interlocked.Read(ref bypasses),
        Interlocked.Read(ref bytesInUse),
        Interlocked.Read(ref peakBytes),
        entries.Count,
        Capacity);

    /// <summary>Resets hits, misses, evictions, bypasses and the peak (not the contents).</summary>
    public void ResetStatistics()
    {
        Interlocked.Exchange(ref hits, 0);
        Interlocked.Exchange(ref misses, 0);
        Interlocked.Exchange(ref evictions, 0);
        Interlocked.Exchange(ref bypasses, 0);
        Interlocked.Exchange(ref peakBytes, Interlocked.Read(ref bytesInUse));
    }

    /// <summary>Drops every tile (tiles being read stay valid until their readers finish).</summary>
    public void Clear() => RemoveWhere(_ => true);

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }

        Clear();
    }

    internal static long NewOwnerId() => Interlocked.Increment(ref nextOwnerId);

    /// <summary>Drops the tiles of one slide (when it is disposed).</summary>
    internal void RemoveOwner(long ownerId) => RemoveWhere(k => k.Owner == ownerId);

    /// <summary>A cached tile if present and decoded; never decodes.</summary>
    internal bool TryGet(TileKey key, out TileLease lease)
    {
        if (entries.TryGetValue(key, out Entry? e) && e.State == EntryState.Ready && e.TryAcquire())
        {
            if (e.State == EntryState.Ready)
            {
                e.Referenced = true;
                Interlocked.Increment(ref hits);
                lease = new TileLease(this, e);
                return true;
            }

            Release(e);
        }

        lease = default;
        return false;
    }

    /// <summary>
    /// The tile for <paramref name="key"/>, decoding it with <paramref name="decode"/> into a cache buffer of
    /// <paramref name="bytes"/> bytes on a miss (once, however many threads ask). With <paramref name="wait"/>
    /// false a tile another thread is decoding comes back as <see cref="CacheLookup.Pending"/> instead of
    /// blocking, so the caller can do its other tiles first. <see cref="CacheLookup.NoRoom"/>: the cache could
    /// not make room and the caller decodes on its own.
    /// </summary>
    internal CacheLookup GetOrDecode<TState>(TileKey key, int bytes, TState state, Func<TState, byte[], bool> decode, bool wait, out TileLease lease)
    {
        lease = default;
        while (true)
        {
            if (entries.TryGetValue(key, out Entry? existing))
            {
                if (!wait && existing.State == EntryState.Loading)
                {
                    return CacheLookup.Pending;
                }

                if (!existing.TryAcquire())
                {
                    continue; // being freed: look again
                }

                if (existing.WaitUntilSettled() == EntryState.Ready)
                {
                    existing.Referenced = true;
                    Interlocked.Increment(ref hits);
                    lease = new TileLease(this, existing);
                    return CacheLookup.Found;
                }

                Exception error = existing.Error!;
                Release(existing);
                ExceptionDispatchInfo.Throw(error); // the decoding thread's exception, same type and message
            }

            if (!Reserve(bytes))
            {
                Interlocked.Increment(ref bypasses);
                return CacheLookup.NoRoom;
            }

            var entry = new Entry(key, TileBufferPool.Rent(bytes), bytes);
            if (!entries.TryAdd(key, entry))
            {
                TileBufferPool.Return(entry.Buffer);
                Unreserve(bytes);
                continue;
            }

            Interlocked.Increment(ref misses);
            bool present;
            try
            {
                present = decode(state, entry.Buffer);
            }
            catch (Exception e)
            {
                entries.TryRemove(new KeyValuePair<TileKey, Entry>(key, entry));
                entry.Settle(EntryState.Failed, e);
                Release(entry); // the cache's reference
                Release(entry); // ours
                throw;
            }

            entry.Missing = !present;
            lock (gate)
            {
                if (disposed)
                {
                    entries.TryRemove(new KeyValuePair<TileKey, Entry>(key, entry));
                    Release(entry);
                }
                else
                {
                    entry.Node = clock.AddLast(entry);
                }
            }

            entry.Settle(EntryState.Ready, null);
            lease = new TileLease(this, entry);
            return CacheLookup.Found;
        }
    }

    internal void Release(Entry e)
    {
        if (Interlocked.Decrement(ref e.RefCount) == 0)
        {
            TileBufferPool.Return(e.Buffer);
            Unreserve(e.Bytes);
        }
    }

    private bool Reserve(int bytes)
    {
        if (bytes > Capacity)
        {
            return false;
        }

        lock (gate)
        {
            if (disposed)
            {
                return false;
            }

            // Two sweeps of the clock at most: the first may only clear "recently used" bits.
            int budget = (2 * clock.Count) + 1;
            while (Interlocked.Read(ref bytesInUse) + bytes > Capacity && budget-- > 0 && clock.Count > 0)
            {
                hand ??= clock.First!;
                Entry candidate = hand.Value;
                LinkedListNode<Entry>? next = hand.Next ?? clock.First;
                if (candidate.Referenced)
                {
                    candidate.Referenced = false;
                }
                else if (Volatile.Read(ref candidate.RefCount) == 1)
                {
                    // Only the cache holds it: evict.
                    clock.Remove(hand);
                    candidate.Node = null;
                    entries.TryRemove(new KeyValuePair<TileKey, Entry>(candidate.Key, candidate));
                    Interlocked.Increment(ref evictions);
                    next = clock.Count == 0 ? null : next == hand ? clock.First : next;
                    Release(candidate);
                }

                hand = next;
            }

            if (Interlocked.Read(ref bytesInUse) + bytes > Capacity)
            {
                return false;
            }

            long now = Interlocked.Add(ref bytesInUse, bytes);
            long peak;
            while (now > (peak = Interlocked.Read(ref peakBytes)) && Interlocked.CompareExchange(ref peakBytes, now, peak) != peak)
            {
            }

            return true;
        }
    }

    private void Unreserve(int bytes) => Interlocked.Add(ref bytesInUse, -bytes);

    private void RemoveWhere(Func<TileKey, bool> predicate)
    {
        lock (gate)
        {
            LinkedListNode<Entry>? node = clock.First;
            while (node is not null)
            {
                LinkedListNode<Entry>? next = node.Next;
                Entry e = node.Value;
                if (predicate(e.Key))
                {
                    if (hand == node)
                    {
                        hand = next;
                    }

                    clock.Remove(node);
                    e.Node = null;
                    entries.TryRemove(new KeyValuePair<TileKey, Entry>(e.Key, e));
                    Release(e);
                }

                node = next;
            }
        }
    }

    internal enum EntryState
    {
        Loading,
        Ready,
        Failed,
    }

    /// <summary>A cached tile. RefCount: one for the cache's index, one per reader; the buffer returns to the pool at zero.</summary>
    internal sealed class Entry(TileKey key, byte[] buffer, int bytes)
    {
        public int RefCount = 2; // the index and the decoding thread
        private volatile EntryState state;

        public TileKey Key { get; } = key;

        public byte[] Buffer { get; } = buffer;

        public int Bytes { get; } = bytes;

        public LinkedListNode<Entry>? Node { get; set; }

        public bool Referenced { get; set; }

        /// <summary>The tile is absent from the file (sparse); the buffer holds nothing.</summary>
        public bool Missing { get; set; }

        public Exception? Error { get; private set; }

        public EntryState State => state;

        public bool TryAcquire()
        {
            while (true)
            {
                int c = Volatile.Read(ref RefCount);
                if (c <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref RefCount, c + 1, c) == c)
                {
                    return true;
                }
            }
        }

        public EntryState WaitUntilSettled()
        {
            if (state != EntryState.Loading)
            {
                return state;
            }

            lock (this)
            {
                while (state == EntryState.Loading)
                {
                    Monitor.Wait(this);
                }
            }

            return state;
        }

        public void Settle(EntryState result, Exception? error)
        {
            lock (this)
            {
                Error = error;
                state = result;
                Monitor.PulseAll(this);
            }
        }
    }
}

/// <summary>How a cache lookup ended.</summary>
internal enum CacheLookup
{
    /// <summary>The lease holds the tile.</summary>
    Found,

    /// <summary>Another thread is decoding it (only when not waiting).</summary>
    Pending,

    /// <summary>No room could be made: decode outside the cache.</summary>
    NoRoom,
}

/// <summary>Identifies a tile: the slide (or other owner), level and grid cell.</summary>
internal readonly record struct TileKey(long Owner, int Level, long Tx, long Ty);

/// <summary>A decoded tile borrowed from the cache; dispose it when done copying.</summary>
internal readonly struct TileLease(TileCache cache, TileCache.Entry entry) : IDisposable
{
    public ReadOnlySpan<byte> Pixels => entry.Buffer.AsSpan(0, entry.Bytes);

    public bool Missing => entry.Missing;

    public void Dispose() => cache?.Release(entry);
}

/// <summary>Counters of a <see cref="TileCache"/>.</summary>
/// <param name="Hits">Lookups served from the cache (including waits on a tile another thread was decoding).</param>
/// <param name="Misses">Tiles decoded into the cache (an aligned whole-tile read that misses decodes straight into the caller's buffer and counts as neither).</param>
/// <param name="Evictions">Tiles dropped to make room.</param>
/// <param name="Bypasses">Reads decoded outside the cache because no room could be made.</param>
/// <param name="BytesInUse">Bytes held now (tiles cached, being decoded, or evicted but still being read).</param>
/// <param name="PeakBytes">The most bytes held since the last reset.</param>
/// <param name="Entries">Tiles cached now.</param>
/// <param name="Capacity">The bound.</param>
public readonly record struct TileCacheStatistics(long Hits, long Misses, long Evictions, long Bypasses, long BytesInUse, long PeakBytes, int Entries, long Capacity);
