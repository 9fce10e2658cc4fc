using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Reader.Core.Batch;

/// <summary>
/// Produces the batches of one patch list. The pipeline calls it: <see cref="Begin"/> once per
/// batch (in batch order), <see cref="Produce"/> for every patch (concurrently, from the workers),
/// <see cref="Complete"/> when a batch's patches are all produced, and <see cref="Abandon"/> for
/// batches that will never reach the consumer. The CPU producer reads patches in Produce; a GPU
/// producer gathers compressed tiles there and decodes the whole batch on the device in Complete.
/// </summary>
internal abstract class BatchProducer<TItem, TBatch>
    where TBatch : class
{
    public abstract TBatch Begin(int batchIndex, ReadOnlyMemory<TItem> items);

    public abstract void Produce(TBatch batch, int slot, TItem item);

    public abstract void Complete(TBatch batch);

    public abstract void Abandon(TBatch batch);
}

/// <summary>A producer of one slide's patches at level-0 locations.</summary>
internal abstract class BatchProducer<TBatch> : BatchProducer<PatchLocation, TBatch>
    where TBatch : class
{
}

/// <summary>The pipeline over one slide's patch locations at one level; a failing patch is a <see cref="PatchReadException"/>.</summary>
internal sealed class BatchPipeline<TBatch>(BatchProducer<TBatch> producer, IReadOnlyList<PatchLocation> locations, int level, BatchOptions options, CancellationToken cancellationToken = default)
    : BatchPipeline<PatchLocation, TBatch>(producer, locations, (index, location, e) => new PatchReadException(index, location, level, e), options, cancellationToken)
    where TBatch : class
{
}

/// <summary>
/// Reads a patch list in batches with N workers: workers take patches in order, at most
/// <see cref="BatchOptions.Prefetch"/> batches ahead of the consumer; batches reach the consumer
/// in order, so contents and order depend on the seed only, never on the worker count. Each
/// enumeration starts its workers on its first MoveNext, not before (the enumerators are iterators).
/// </summary>
internal class BatchPipeline<TItem, TBatch> : IAsyncEnumerable<TBatch>, IEnumerable<TBatch>
    where TBatch : class
{
    private readonly BatchProducer<TItem, TBatch> producer;
    private readonly TItem[] order;
    private readonly BatchOptions options;
    private readonly Func<int, TItem, Exception, Exception> failure;
    private readonly CancellationToken callToken;

    // cancellationToken is the call's: it stops every enumeration, linked with each enumerator's own token.
    // failure wraps the exception of a failing item (its index in the order, the item) in the one the consumer sees.
    public BatchPipeline(BatchProducer<TItem, TBatch> producer, IReadOnlyList<TItem> locations, Func<int, TItem, Exception, Exception> failure, BatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Prefetch, 1, nameof(options));
        this.producer = producer;
        this.options = options;
        this.failure = failure;
        callToken = cancellationToken;
        order = [.. locations];
        if (options.Shuffle)
        {
            new Random(options.Seed).Shuffle(order);
        }

        int usable = options.DropLast ? order.Length / options.BatchSize * options.BatchSize : order.Length;
        if (usable < order.Length)
        {
            order = order[..usable];
        }
    }

    public int BatchCount => (order.Length + options.BatchSize - 1) / options.BatchSize;

    public async IAsyncEnumerator<TBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        using var run = new Run(this, CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken));
        for (int b = 0; b < BatchCount; b++)
        {
            TBatch batch = await run.TakeAsync(b).ConfigureAwait(false);
            yield return batch;
        }
    }

    public IEnumerator<TBatch> GetEnumerator()
    {
        using var run = new Run(this, CancellationTokenSource.CreateLinkedTokenSource(callToken));
        for (int b = 0; b < BatchCount; b++)
        {
            yield return run.TakeAsync(b).AsTask().GetAwaiter().GetResult();
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One enumeration: its workers, its batches in flight.</summary>
    private sealed class Run : IDisposable
    {
        private readonly BatchPipeline<TItem, TBatch> pipeline;
        private readonly CancellationTokenSource cancellation;
        private readonly Slot[] slots;
        private readonly Task[] workers;
        private readonly object gate = new();
        private int nextPatch;
        private int delivered; // batches handed to the consumer
        private bool finished;

        public Run(BatchPipeline<TItem, TBatch> pipeline, CancellationTokenSource cancellation)
        {
            this.pipeline = pipeline;
            this.cancellation = cancellation;
            slots = new Slot[pipeline.BatchCount];
            for (int i = 0; i < slots.Length; i++)
            {
                int first = i * pipeline.options.BatchSize;
                int count = Math.Min(pipeline.options.BatchSize, pipeline.order.Length - first);
                slots[i] = new Slot(first, count);
            }

            int workerCount = Math.Min(pipeline.options.Workers, Math.Max(1, pipeline.order.Length));
            workers = new Task[workerCount];
            for (int w = 0; w < workerCount; w++)
            {
                workers[w] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }

        public async ValueTask<TBatch> TakeAsync(int b)
        {
            Slot slot = slots[b];
            try
            {
                cancellation.Token.ThrowIfCancellationRequested(); // even when the batch is ready

                await slot.Done.Task.WaitAsync(cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancellation.Cancel();
                throw;
            }

            lock (gate)
            {
                delivered = b + 1;
                Monitor.PulseAll(gate);
            }

            if (slot.Error is not null)
            {
                ExceptionDispatchInfo.Throw(slot.Error);
            }

            TBatch batch = slot.Batch!;
            slot.Batch = null; // the consumer owns it now and disposes it
            return batch;
        }

        public void Dispose()
        {
            cancellation.Cancel();
            lock (gate)
            {
                finished = true;
                Monitor.PulseAll(gate);
            }

            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException)
            {
                // Worker failures were recorded on their batches.
            }

            foreach (Slot slot in slots)
            {
                if (slot.Batch is { } undelivered)
                {
                    slot.Batch = null;
                    pipeline.producer.Abandon(undelivered);
                }
            }

            cancellation.Dispose();
        }

        private void Work()
        {
            BatchOptions o = pipeline.options;
            CancellationToken token = cancellation.Token;
            while (!token.IsCancellationRequested)
            {
                int index = Interlocked.Increment(ref nextPatch) - 1;
                if (index >= pipeline.order.Length)
                {
                    return;
                }

                int b = index / o.BatchSize;
                Slot slot = slots[b];
                if (!WaitForWindow(b, token))
                {
                    return;
                }

                TBatch? batch = slot.GetOrBegin(pipeline, b, token);
                if (batch is null)
                {
                    // The batch failed to begin (its error is recorded): this patch is still done, or the batch never completes.
                    if (slot.PatchDone())
                    {
                        slot.Done.TrySetResult();
                    }

                    continue;
                }

                TItem location = pipeline.order[index];
                try
                {
                    if (slot.Error is null)
                    {
                        pipeline.producer.Produce(batch, index - slot.First, location);
                    }
                }
                catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
                {
                    slot.Fail(pipeline.failure(index, location, e));
                }

                if (slot.PatchDone())
                {
                    Finish(slot, batch);
                }
            }
        }

        private void Finish(Slot slot, TBatch batch)
        {
            if (slot.Error is null)
            {
                try
                {
                    pipeline.producer.Complete(batch);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    slot.Fail(e);
                }
            }

            if (slot.Error is not null)
            {
                slot.Batch = null;
                pipeline.producer.Abandon(batch);
                slot.Done.TrySetResult();
                return;
            }

            slot.Done.TrySetResult();
        }

        private bool WaitForWindow(int b, CancellationToken token)
        {
            // At most Prefetch batches in production beyond those the consumer has taken.
            int window = pipeline.options.Prefetch;
            lock (gate)
            {
                while (b >= delivered + window && !finished && !token.IsCancellationRequested)
                {
                    Monitor.Wait(gate, 50);
                }

                return !finished && !token.IsCancellationRequested;
            }
        }
    }

    private sealed class Slot(int first, int count)
    {
        private readonly Lock begin = new();
        private int remaining = count;

        public int First { get; } = first;

        public int Count { get; } = count;

        public TBatch? Batch { get; set; }

        public Exception? Error { get; private set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TBatch? GetOrBegin(BatchPipeline<TItem, TBatch> pipeline, int b, CancellationToken token)
        {
            if (Batch is { } ready)
            {
                return ready;
            }

            lock (begin)
            {
                if (Batch is null && Error is null)
                {
                    try
                    {
                        Batch = pipeline.producer.Begin(b, pipeline.order.AsMemory(First, Count));
                    }
                    catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
                    {
                        Fail(e); // the caller counts its patch as done, like every other worker of this batch
                        return null;
                    }
                }

                return Batch;
            }
        }

        public void Fail(Exception e)
        {
            lock (begin)
            {
                Error ??= e; // the first failing patch is the one reported
            }
        }

        public bool PatchDone() => Interlocked.Decrement(ref remaining) == 0;
    }
}
