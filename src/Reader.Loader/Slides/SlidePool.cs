using System.Runtime.ExceptionServices;
using Reader.Core;

namespace Reader.Loader;

/// <summary>
/// The open slides of a dataset, opened on first use and kept in a bounded least-recently-used pool, so a manifest of
/// 10,000 slides never holds 10,000 file handles. A slide in use (rented) is never closed under its user: the pool holds
/// at most <see cref="Capacity"/> slides, or as many as are rented at once if that is more (at most the worker count).
/// A slide that fails to open fails every later rent with the same error, without opening it again.
/// </summary>
public sealed class SlidePool : IDisposable
{
    private readonly IReadOnlyList<SlideEntry> slides;
    private readonly SlideOptions? options;
    private readonly Dictionary<int, Handle> open = [];
    private readonly LinkedList<int> idle = []; // least recently returned first
    private readonly Dictionary<int, ExceptionDispatchInfo> failed = [];
    private readonly Lock gate = new();
    private bool disposed;

    /// <summary>A pool over <paramref name="slides"/>, keeping at most <paramref name="capacity"/> open.</summary>
    public SlidePool(IReadOnlyList<SlideEntry> slides, int capacity = 64, SlideOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(slides);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.slides = slides;
        this.options = options;
        Capacity = capacity;
    }

    /// <summary>The most slides kept open when none is in use.</summary>
    public int Capacity { get; }

    /// <summary>Slides open now.</summary>
    public int OpenCount
    {
        get
        {
            lock (gate)
            {
                return open.Count;
            }
        }
    }

    /// <summary>The most slides that were open at once.</summary>
    public int PeakOpenCount { get; private set; }

    /// <summary>Slide opens so far (reopens after eviction included).</summary>
    public long Opens { get; private set; }

    /// <summary>The dataset's slides.</summary>
    public IReadOnlyList<SlideEntry> Slides => slides;

    /// <summary>Opens (or reuses) slide <paramref name="index"/>; dispose the lease when done with it.</summary>
    public SlideLease Rent(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)slides.Count, nameof(index));
        Handle? handle;
        Slide? evicted;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (failed.TryGetValue(index, out ExceptionDispatchInfo? error))
            {
                error.Throw();
            }

            if (open.TryGetValue(index, out handle))
            {
                if (handle.Users++ == 0)
                {
                    idle.Remove(handle.IdleNode);
                }

                return new SlideLease(this, handle);
            }

            handle = new Handle(index);
            open[index] = handle; // placeholder: other renters of this index wait on its Ready task
            handle.Users = 1;
            Opens++;
            PeakOpenCount = Math.Max(PeakOpenCount, open.Count);
            evicted = EvictIdle();
        }

        evicted?.Dispose();

        try
        {
            handle.Slide = Slide.Open(slides[index].Path, options);
            handle.Ready.SetResult();
        }
        catch (Exception e)
        {
            lock (gate)
            {
                failed[index] = ExceptionDispatchInfo.Capture(e);
                open.Remove(index);
            }

            handle.Ready.SetException(e);
            throw;
        }

        return new SlideLease(this, handle);
    }

    private void Return(Handle handle)
    {
        Slide? toClose = null;
        lock (gate)
        {
            if (--handle.Users > 0)
            {
                return;
            }

            if (disposed || !open.ContainsKey(handle.Index))
            {
                toClose = handle.Slide;
            }
            else
            {
                handle.IdleNode = idle.AddLast(handle.Index);
                toClose = EvictIdle();
            }
        }

        toClose?.Dispose();
    }

    // Closes least recently used idle slides while over capacity; returns the last one for closing outside the lock
    // (closing may flush a remote connection) and closes any others here (rare: capacity shrinks by one per rent).
    private Slide? EvictIdle()
    {
        Slide? last = null;
        while (open.Count > Capacity && idle.First is { } oldest)
        {
            idle.RemoveFirst();
            Handle victim = open[oldest.Value];
            open.Remove(oldest.Value);
            last?.Dispose();
            last = victim.Slide;
        }

        return last;
    }

    /// <summary>Closes every slide; leases still out close theirs when returned.</summary>
    public void Dispose()
    {
        List<Slide> toClose = [];
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (Handle handle in open.Values)
            {
                if (handle.Users == 0 && handle.Slide is not null)
                {
                    toClose.Add(handle.Slide);
                }
            }

            open.Clear();
            idle.Clear();
        }

        foreach (Slide slide in toClose)
        {
            slide.Dispose();
        }
    }

    internal sealed class Handle(int index)
    {
        public int Index { get; } = index;

        public Slide? Slide { get; set; }

        public int Users { get; set; }

        public LinkedListNode<int> IdleNode { get; set; } = null!;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A rented slide; dispose to give it back to the pool.</summary>
    public readonly struct SlideLease : IDisposable
    {
        private readonly SlidePool? pool;
        private readonly Handle? handle;

        internal SlideLease(SlidePool pool, Handle handle)
        {
            this.pool = pool;
            this.handle = handle;
            if (handle.Slide is null)
            {
                handle.Ready.Task.GetAwaiter().GetResult(); // another renter is opening it: wait for that open (or its error)
            }
        }

        /// <summary>The open slide.</summary>
        public Slide Slide => handle?.Slide ?? throw new InvalidOperationException("an empty lease");

        /// <summary>The slide's index in the dataset.</summary>
        public int Index => handle?.Index ?? -1;

        /// <summary>Returns the slide to the pool.</summary>
        public void Dispose()
        {
            if (pool is not null && handle is not null)
            {
                pool.Return(handle);
            }
        }
    }
}
