using System.Runtime.CompilerServices;
using Reader.Core;
using Reader.Core.Batch;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Batch;

/// <summary>The batch API: determinism, shuffle, drop-last, cancellation, lazy start, buffer return, error propagation.</summary>
public class BatchReadTests
{
    private static readonly SyntheticSlideSpec Spec = new() { Width = 1200, Height = 900, TileWidth = 128, TileHeight = 128, Levels = 2, Quality = 80 };

    private static List<PatchLocation> Grid(int step = 100) =>
        [.. from y in Enumerable.Range(0, 8) from x in Enumerable.Range(0, 11) select new PatchLocation((x * step) + 1, (y * step) + 1)];

    [Fact]
    public void Batches_are_identical_whatever_the_worker_count()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        List<PatchLocation> locations = Grid();
        byte[][] reference = Collect(slide, locations, new BatchOptions { Workers = 1, BatchSize = 7, Shuffle = true, Seed = 42 });
        foreach (int workers in new[] { 2, 3, 8 })
        {
            byte[][] other = Collect(slide, locations, new BatchOptions { Workers = workers, BatchSize = 7, Shuffle = true, Seed = 42, Prefetch = 3 });
            Assert.Equal(reference.Length, other.Length);
            for (int i = 0; i < reference.Length; i++)
            {
                Assert.True(reference[i].AsSpan().SequenceEqual(other[i]), $"batch {i} differs with {workers} workers");
            }
        }
    }

    [Fact]
    public void Each_patch_equals_ReadRegion_and_shuffle_is_a_seeded_permutation()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        List<PatchLocation> locations = Grid();
        var seen = new List<PatchLocation>();
        foreach (PatchBatch batch in slide.ReadRegions(locations, 64, 48, 0, new BatchOptions { BatchSize = 10, Shuffle = true, Seed = 7, Format = PixelFormat.Rgba32 }, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                Assert.Equal([batch.Count, 48, 64, 4], batch.Shape);
                for (int i = 0; i < batch.Count; i++)
                {
                    PatchLocation at = batch.Locations.Span[i];
                    seen.Add(at);
                    Assert.True(batch.Patch(i).SequenceEqual(slide.ReadRegion(at.X, at.Y, 0, 64, 48, PixelFormat.Rgba32)));
                }
            }
        }

        Assert.Equal(locations.OrderBy(l => (l.X, l.Y)), seen.OrderBy(l => (l.X, l.Y)));
        Assert.NotEqual(locations, seen);
        var again = new List<PatchLocation>();
        foreach (PatchBatch batch in slide.ReadRegions(locations, 64, 48, 0, new BatchOptions { BatchSize = 10, Shuffle = true, Seed = 7 }, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                again.AddRange(batch.Locations.ToArray());
            }
        }

        Assert.Equal(seen, again);
    }

    [Fact]
    public void Drop_last_drops_the_short_batch()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        List<PatchLocation> locations = Grid(); // 88 patches
        Assert.Equal([10, 10, 10, 10, 10, 10, 10, 10, 8], Sizes(slide, locations, new BatchOptions { BatchSize = 10 }));
        Assert.Equal([10, 10, 10, 10, 10, 10, 10, 10], Sizes(slide, locations, new BatchOptions { BatchSize = 10, DropLast = true }));
    }

    [Fact]
    public async Task Cancellation_through_the_call_stops_promptly_and_returns_every_buffer()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        using var cts = new CancellationTokenSource();
        await CancelAfterThreeBatches(slide, cts, batches => batches.WithCancellation(TestContext.Current.CancellationToken), cts.Token);
    }

    [Fact]
    public async Task Cancellation_through_the_enumerator_token_stops_promptly_and_returns_every_buffer()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        using var cts = new CancellationTokenSource();
        await CancelAfterThreeBatches(slide, cts, batches => batches.WithCancellation(cts.Token), TestContext.Current.CancellationToken); // the call token is linked, not replaced
    }

    [Fact]
    public void Cancellation_through_the_call_stops_a_synchronous_enumeration()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        long baseline = PatchBufferPool.Outstanding;
        using var cts = new CancellationTokenSource();
        int received = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (PatchBatch batch in slide.ReadRegions(ManyPatches(), 128, 128, 0, new BatchOptions { BatchSize = 16, Workers = 4 }, cts.Token))
            {
                using (batch)
                {
                    if (++received == 3)
                    {
                        cts.Cancel();
                    }
                }
            }
        });
        Assert.Equal(3, received);
        Assert.Equal(baseline, PatchBufferPool.Outstanding);
    }

    [Fact]
    public async Task A_call_token_already_cancelled_stops_every_enumeration_at_its_first_batch()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        var producer = new CountingProducer(new CpuPatchProducer(slide, 0, 32, 32, PixelFormat.Rgb24));
        var batches = new PatchBatches(new BatchPipeline<PatchBatch>(producer, Grid(), 0, new BatchOptions { BatchSize = 4, Workers = 2 }, new CancellationToken(canceled: true)));
        Assert.ThrowsAny<OperationCanceledException>(() => batches.First().Dispose());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (PatchBatch batch in batches)
            {
                batch.Dispose();
            }
        });
        Assert.Equal(0, producer.Begun); // the linked token is cancelled before any worker takes a patch
    }

    [Fact]
    public async Task No_worker_starts_before_the_first_MoveNext()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        var producer = new CountingProducer(new CpuPatchProducer(slide, 0, 32, 32, PixelFormat.Rgb24));
        var batches = new PatchBatches(new BatchPipeline<PatchBatch>(producer, Grid(), 0, new BatchOptions { BatchSize = 4, Workers = 2, Prefetch = 3 }));

        using (IEnumerator<PatchBatch> sync = batches.GetEnumerator())
        {
            Assert.False(await producer.StartsWithin(TimeSpan.FromMilliseconds(500)), "a worker ran before MoveNext");
            Assert.True(sync.MoveNext());
            using PatchBatch first = sync.Current;
            Assert.Equal(4, first.Count);
            Assert.True(producer.Produced >= 4);
        }

        producer.Reset();
        await using (IAsyncEnumerator<PatchBatch> async = batches.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.False(await producer.StartsWithin(TimeSpan.FromMilliseconds(500)), "a worker ran before MoveNextAsync");
            Assert.True(await async.MoveNextAsync());
            using PatchBatch first = async.Current;
            Assert.Equal(4, first.Count);
            Assert.True(producer.Produced >= 4);
        }

        // Created and disposed without MoveNext: nothing at all was read.
        producer.Reset();
        batches.GetEnumerator().Dispose();
        await batches.GetAsyncEnumerator(TestContext.Current.CancellationToken).DisposeAsync();
        Assert.False(await producer.StartsWithin(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(0, producer.Begun);
    }

    [Fact]
    public void A_batch_is_the_memory_owner_of_its_data()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        foreach (PatchBatch batch in slide.ReadRegions(Grid(), 40, 30, 0, new BatchOptions { BatchSize = 5 }, TestContext.Current.CancellationToken))
        {
            System.Buffers.IMemoryOwner<byte> owner = batch;
            using (owner)
            {
                Assert.Equal(5 * 30 * 40 * 3, owner.Memory.Length);
                Assert.True(owner.Memory.Span.SequenceEqual(batch.Data.Span));
                Assert.True(owner.Memory.Span.Slice(batch.PatchBytes, batch.PatchBytes).SequenceEqual(batch.Patch(1)));
            }

            Assert.Throws<ObjectDisposedException>(() => owner.Memory);
            Assert.Throws<ObjectDisposedException>(() => batch.Data);
            break;
        }
    }

    [Fact]
    public void Breaking_out_and_disposing_return_every_buffer()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        long baseline = PatchBufferPool.Outstanding;
        foreach (PatchBatch batch in slide.ReadRegions(Grid(), 128, 128, 0, new BatchOptions { BatchSize = 4, Prefetch = 4 }, TestContext.Current.CancellationToken))
        {
            batch.Dispose();
            break;
        }

        Assert.Equal(baseline, PatchBufferPool.Outstanding);
        Collect(slide, Grid(), new BatchOptions { BatchSize = 4 });
        Assert.Equal(baseline, PatchBufferPool.Outstanding);
    }

    [Fact]
    public void An_error_in_one_patch_names_it_after_the_batches_before_it()
    {
        string path = SlideSurgery.WithCorruptTile(TestSlides.Get(Spec), 0, 5, 5); // tile at (640..767, 640..767)
        using var slide = Slide.Open(path);
        long baseline = PatchBufferPool.Outstanding;
        var locations = Enumerable.Range(0, 40).Select(i => new PatchLocation(i * 20, i * 20)).ToList();
        int delivered = 0;
        var e = Assert.Throws<PatchReadException>(() =>
        {
            foreach (PatchBatch batch in slide.ReadRegions(locations, 64, 64, 0, new BatchOptions { BatchSize = 5, Workers = 3 }, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    delivered++;
                }
            }
        });
        int firstBad = locations.FindIndex(l => l.X + 64 > 640 && l.X < 768);
        Assert.Equal(firstBad / 5, delivered);
        Assert.Equal(locations[firstBad], e.Location);
        Assert.IsType<CorruptSlideException>(e.InnerException);
        Assert.Contains($"({locations[firstBad].X}, {locations[firstBad].Y})", e.Message, StringComparison.Ordinal);
        Assert.Equal(baseline, PatchBufferPool.Outstanding);
    }

    [Fact]
    public async Task A_batch_that_fails_to_begin_surfaces_its_error_instead_of_hanging()
    {
        // Begin can fail for real (a device allocation on the GPU producer): every worker must still count its
        // patch of that batch, or the consumer waits forever.
        using var slide = Slide.Open(TestSlides.Get(Spec));
        var producer = new FailingBegin(new CpuPatchProducer(slide, 0, 32, 32, PixelFormat.Rgb24), failingBatch: 1);
        var pipeline = new BatchPipeline<PatchBatch>(producer, Grid(), 0, new BatchOptions { BatchSize = 6, Workers = 3 });
        int delivered = 0;
        Task run = Task.Run(() =>
        {
            foreach (PatchBatch batch in pipeline)
            {
                using (batch)
                {
                    delivered++;
                }
            }
        }, TestContext.Current.CancellationToken);
        Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(finished == run, "the batch pipeline hung after a batch failed to begin");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("batch 1 cannot begin", e.Message);
        Assert.Equal(1, delivered);
    }

    [Fact]
    public void A_batch_larger_than_one_buffer_is_refused_up_front()
    {
        using var slide = Slide.Open(TestSlides.Get(Spec));
        List<PatchLocation> locations = Grid();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegions(locations, 8192, 8192, 0, new BatchOptions { BatchSize = 32 }, TestContext.Current.CancellationToken));
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
    }

    private static List<PatchLocation> ManyPatches() => [.. Enumerable.Repeat(Grid(), 50).SelectMany(l => l)]; // 4400 patches

    /// <summary>Cancels (through <paramref name="cts"/>) after three batches; the enumeration must stop promptly and return every buffer.</summary>
    private static async Task CancelAfterThreeBatches(Slide slide, CancellationTokenSource cts, Func<PatchBatches, ConfiguredCancelableAsyncEnumerable<PatchBatch>> enumerate, CancellationToken callToken)
    {
        long baseline = PatchBufferPool.Outstanding;
        int received = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (PatchBatch batch in enumerate(slide.ReadRegions(ManyPatches(), 128, 128, 0, new BatchOptions { BatchSize = 16, Workers = 4 }, callToken)))
            {
                using (batch)
                {
                    if (++received == 3)
                    {
                        await cts.CancelAsync();
                    }
                }
            }
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "cancellation was not prompt");
        Assert.Equal(3, received);
        Assert.Equal(baseline, PatchBufferPool.Outstanding);
    }

    /// <summary>Counts what the pipeline asks of the CPU producer, and tells when a worker first began a batch.</summary>
    private sealed class CountingProducer(CpuPatchProducer inner) : BatchProducer<PatchBatch>
    {
        private TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int begun;
        private int produced;

        public int Begun => Volatile.Read(ref begun);

        public int Produced => Volatile.Read(ref produced);

        /// <summary>True when a worker begins a batch within <paramref name="wait"/> (or already has).</summary>
        public async Task<bool> StartsWithin(TimeSpan wait)
        {
            Task first = started.Task;
            return await Task.WhenAny(first, Task.Delay(wait, TestContext.Current.CancellationToken)) == first;
        }

        public void Reset()
        {
            started = new(TaskCreationOptions.RunContinuationsAsynchronously);
            begun = produced = 0;
        }

        public override PatchBatch Begin(int batchIndex, ReadOnlyMemory<PatchLocation> locations)
        {
            Interlocked.Increment(ref begun);
            started.TrySetResult();
            return inner.Begin(batchIndex, locations);
        }

        public override void Produce(PatchBatch batch, int slot, PatchLocation location)
        {
            Interlocked.Increment(ref produced);
            inner.Produce(batch, slot, location);
        }

        public override void Complete(PatchBatch batch) => inner.Complete(batch);

        public override void Abandon(PatchBatch batch) => inner.Abandon(batch);
    }

    private sealed class FailingBegin(CpuPatchProducer inner, int failingBatch) : BatchProducer<PatchBatch>
    {
        public override PatchBatch Begin(int batchIndex, ReadOnlyMemory<PatchLocation> locations) =>
            batchIndex == failingBatch ? throw new InvalidOperationException($"batch {batchIndex} cannot begin") : inner.Begin(batchIndex, locations);

        public override void Produce(PatchBatch batch, int slot, PatchLocation location) => inner.Produce(batch, slot, location);

        public override void Complete(PatchBatch batch) => inner.Complete(batch);

        public override void Abandon(PatchBatch batch) => inner.Abandon(batch);
    }

    private static byte[][] Collect(Slide slide, List<PatchLocation> locations, BatchOptions options)
    {
        var result = new List<byte[]>();
        foreach (PatchBatch batch in slide.ReadRegions(locations, 96, 80, 0, options))
        {
            using (batch)
            {
                result.Add(batch.Data.ToArray());
            }
        }

        return [.. result];
    }

    private static int[] Sizes(Slide slide, List<PatchLocation> locations, BatchOptions options)
    {
        var sizes = new List<int>();
        foreach (PatchBatch batch in slide.ReadRegions(locations, 32, 32, 0, options))
        {
            using (batch)
            {
                sizes.Add(batch.Count);
            }
        }

        return [.. sizes];
    }
}
