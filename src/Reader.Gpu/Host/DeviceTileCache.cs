using ILGPU;
using ILGPU.Runtime;
using Reader.Core;
using Reader.Core.Decode;
using Reader.Gpu.Accelerators;

namespace Reader.Gpu.Host;

/// <summary>
/// Decoded tiles kept in device memory for one <see cref="GpuDecoder"/>, shared by all its batches and regions:
/// slots of one size (the first tile size and format cached; others bypass it) in one device buffer bounded in
/// bytes, least recently used evicted. A batch pins the entries it copies from until its stream has run, and a
/// tile it adds becomes visible only once its copy in has run, so concurrent batches never see a slot being
/// written or reuse one being read.
/// </summary>
internal sealed class DeviceTileCache : IDisposable
{
    private readonly GpuDevice device;
    private readonly long capacity;
    private readonly Lock gate = new();
    private readonly Dictionary<Key, Entry> entries = [];
    private readonly Stack<int> free = new();
    private MemoryBuffer1D<byte, Stride1D.Dense>? arena;
    private long slotBytes;
    private long clock;
    private long hits, misses, evictions, bypasses;

    public DeviceTileCache(GpuDevice device, long capacity)
    {
        this.device = device;
        this.capacity = capacity;
    }

    public DeviceCacheStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new DeviceCacheStatistics(hits, misses, evictions, bypasses, entries.Count(e => e.Value.Ready) * slotBytes, capacity);
            }
        }
    }

    /// <summary>The cached slot of a tile, pinned (release it with <see cref="Release"/>), or null.</summary>
    public Entry? Get(TileDecoder decoder, PixelFormat format, long column, long row)
    {
        lock (gate)
        {
            if (entries.TryGetValue(new Key(decoder, format, column, row), out Entry? e) && e.Ready)
            {
                e.Pins++;
                e.LastUse = ++clock;
                hits++;
                return e;
            }

            misses++;
            return null;
        }
    }

    /// <summary>A slot for a tile just decoded (pinned, not yet visible), or null when it cannot be cached now.</summary>
    public Entry? Reserve(TileDecoder decoder, PixelFormat format, long column, long row, long bytes)
    {
        lock (gate)
        {
            var key = new Key(decoder, format, column, row);
            if (entries.ContainsKey(key) || !EnsureArena(bytes))
            {
                bypasses += entries.ContainsKey(key) ? 0 : 1;
                return null;
            }

            if (!free.TryPop(out int slot))
            {
                Entry? victim = null;
                foreach (Entry candidate in entries.Values)
                {
                    if (candidate.Ready && candidate.Pins == 0 && (victim is null || candidate.LastUse < victim.LastUse))
                    {
                        victim = candidate;
                    }
                }

                if (victim is null)
                {
                    bypasses++;
                    return null; // every slot is in use by a batch
                }

                entries.Remove(victim.Key);
                evictions++;
                slot = victim.Slot;
            }

            var e = new Entry(key, slot) { Pins = 1, LastUse = ++clock };
            entries.Add(key, e);
            return e;
        }
    }

    /// <summary>The slot's bytes on the device.</summary>
    public ArrayView<byte> View(Entry e) => arena!.View.SubView(e.Slot * slotBytes, slotBytes);

    /// <summary>After the batch's stream has run: its reserved entries become visible, its pins go.</summary>
    public void Publish(Entry e)
    {
        lock (gate)
        {
            e.Ready = true;
            e.Pins--;
        }
    }

    /// <summary>Unpins an entry read from; a reserved entry that never got its bytes is dropped.</summary>
    public void Release(Entry e)
    {
        lock (gate)
        {
            e.Pins--;
            if (!e.Ready && entries.Remove(e.Key))
            {
                free.Push(e.Slot);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            lock (device.Gate)
            {
                device.Bind();
                arena?.Dispose();
            }

            arena = null;
            entries.Clear();
            free.Clear();
        }
    }

    /// <summary>The arena for slots of <paramref name="bytes"/> (allocated on first use); false for another size or no room.</summary>
    private bool EnsureArena(long bytes)
    {
        if (arena is not null)
        {
            return bytes == slotBytes;
        }

        long slots = capacity / Math.Max(1, bytes);
        if (slots < 1)
        {
            return false;
        }

        lock (device.Gate)
        {
            device.Bind();
            arena = device.Accelerator.Allocate1D<byte>(slots * bytes);
        }

        slotBytes = bytes;
        for (int s = (int)Math.Min(slots, int.MaxValue) - 1; s >= 0; s--)
        {
            free.Push(s);
        }

        return true;
    }

    internal readonly record struct Key(TileDecoder Decoder, PixelFormat Format, long Column, long Row);

    /// <summary>One cached tile.</summary>
    internal sealed class Entry(Key key, int slot)
    {
        public Key Key { get; } = key;

        public int Slot { get; } = slot;

        public int Pins { get; set; }

        public bool Ready { get; set; }

        public long LastUse { get; set; }
    }
}
