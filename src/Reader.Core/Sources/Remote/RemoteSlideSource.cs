using System.Globalization;

namespace Reader.Core.Sources.Remote;

/// <summary>
/// A slide in remote storage (HTTP, S3, Azure Blob: see <see cref="IRemoteTransport"/>), read through the shared
/// block cache. The first request reads ahead (<see cref="RemoteOptions.OpenReadAhead"/>) and learns the object's
/// length and version, which is pinned: every later request asks for that version, and a change under the reader
/// fails with a <see cref="RemoteSourceException"/> instead of mixing versions. The tiles of one region or batch are
/// fetched together (<see cref="SlideSource.ReadRangesAsync"/> and the region path's prefetch): missing blocks are
/// merged into as few requests as <see cref="RemoteOptions.MaxGap"/> allows and issued concurrently. Transient
/// failures are retried with exponential backoff and jitter, a bounded number of times.
/// </summary>
public sealed class RemoteSlideSource : SlideSource
{
    private readonly IRemoteTransport transport;
    private readonly RemoteOptions options;
    private readonly string? version;
    private readonly string objectKey;
    private readonly long length;

    private RemoteSlideSource(IRemoteTransport transport, RemoteOptions options, long length, string? version)
    {
        this.transport = transport;
        this.options = options;
        this.length = length;
        this.version = version;
        objectKey = transport.Name + "\n" + (version ?? string.Empty) + "\n" + length.ToString(CultureInfo.InvariantCulture);
        ContentIdentity = version is null ? null : objectKey;
    }

    public override string Name => transport.Name;

    public override long Length => length;

    /// <summary>The object's version pinned at open (its ETag, or Last-Modified), or null when the store gives none.</summary>
    public string? Version => version;

    /// <summary>The options this source reads with.</summary>
    public RemoteOptions Options => options;

    public override ISiblingResolver? Siblings => new RemoteSiblings(this);

    internal override string? ContentIdentity { get; }

    internal override bool WantsPrefetch => true;

    /// <summary>Opens <paramref name="transport"/>'s object (one request); the source disposes the transport.</summary>
    public static RemoteSlideSource Open(IRemoteTransport transport, RemoteOptions? options = null, CancellationToken cancellationToken = default)
        => OpenAsync(transport, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Opens <paramref name="transport"/>'s object (one request); the source disposes the transport.</summary>
    public static async Task<RemoteSlideSource> OpenAsync(IRemoteTransport transport, RemoteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        options ??= RemoteOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 4096, nameof(options));
        try
        {
            int blockSize = options.BlockSize;
            int readAhead = Math.Max(blockSize, options.OpenReadAhead / blockSize * blockSize);
            byte[] first = new byte[readAhead];
            (RemoteRead read, _) = await Fetch(transport, options, 0, first, null, -1, cancellationToken).ConfigureAwait(false);
            var source = new RemoteSlideSource(transport, options, read.ObjectLength, read.Version);
            int usable = (int)Math.Min(read.Count, read.ObjectLength);
            for (long block = 0; (block * blockSize) < usable; block++)
            {
                int start = (int)(block * blockSize);
                int end = (int)Math.Min(start + blockSize, usable);
                if (end - start == blockSize || end == read.ObjectLength)
                {
                    source.Store(block, first.AsSpan(start, end - start).ToArray());
                }
            }

            return source;
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    public override async Task<IReadOnlyList<ReadOnlyMemory<byte>>> ReadRangesAsync(IReadOnlyList<ByteRange> ranges, RangeReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        foreach (ByteRange r in ranges)
        {
            if (r.Offset < 0 || r.Length < 0 || r.Offset > length - r.Length)
            {
                throw new CorruptSlideException(Name, null, $"range {r} runs past the end of the source ({length} bytes)");
            }
        }

        Dictionary<long, byte[]> blocks = await EnsureBlocks(BlocksOf(ranges), cancellationToken).ConfigureAwait(false);
        var results = new ReadOnlyMemory<byte>[ranges.Count];
        for (int i = 0; i < ranges.Count; i++)
        {
            var bytes = new byte[ranges[i].Length];
            CopyFrom(blocks, ranges[i].Offset, bytes);
            results[i] = bytes;
        }

        return results;
    }

    /// <summary>Fetches the blocks of every range in one go (merged, concurrent requests) so the reads that follow hit the cache.</summary>
    internal override void Prefetch(IReadOnlyList<ByteRange> ranges)
    {
        List<long> wanted = BlocksOf(ranges);
        if (wanted.Count > 1)
        {
            EnsureBlocks(wanted, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    protected override int ReadCore(long offset, Span<byte> destination)
    {
        int n = (int)Math.Min(destination.Length, length - offset);
        Dictionary<long, byte[]> blocks = EnsureBlocks(BlocksOf(offset, n), CancellationToken.None).GetAwaiter().GetResult();
        CopyFrom(blocks, offset, destination[..n]);
        return n;
    }

    protected override async ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int n = (int)Math.Min(destination.Length, length - offset);
        Dictionary<long, byte[]> blocks = await EnsureBlocks(BlocksOf(offset, n), cancellationToken).ConfigureAwait(false);
        CopyFrom(blocks, offset, destination.Span[..n]);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            transport.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Reads into <paramref name="destination"/> at <paramref name="offset"/> with retries: transient failures (and short
    /// bodies, and timeouts) are retried after 1, 2, 4 ... times the base delay, each with jitter; the rest fail at once.
    /// </summary>
    private static async Task<(RemoteRead Read, int Attempts)> Fetch(IRemoteTransport transport, RemoteOptions options, long offset, Memory<byte> destination, string? pinned, long objectLength, CancellationToken cancellationToken)
    {
        string range = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + destination.Length - 1}");
        for (int attempt = 0; ; attempt++)
        {
            string? transient;
            Exception? cause;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.RequestTimeout);
                try
                {
                    RemoteRead read = await transport.ReadAsync(offset, destination, pinned, timeout.Token).ConfigureAwait(false);
                    options.Cache.CountRequest(read.Count);
                    if (pinned is not null && read.Version is not null && read.Version != pinned)
                    {
                        throw new RemoteSourceException(transport.Name, range, $"the object changed while open (version {pinned} became {read.Version}); reopen the slide");
                    }

                    long expected = Math.Min(destination.Length, Math.Max(0, (objectLength < 0 ? read.ObjectLength : objectLength) - offset));
                    if (read.Count >= expected)
                    {
                        return (read, attempt + 1);
                    }

                    transient = $"short body: {read.Count} of {expected} bytes";
                    cause = null;
                }
                catch (RemoteTransportException e) when (e.Failure == RemoteFailure.Transient)
                {
                    transient = e.Message;
                    cause = e;
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    transient = $"no answer within {options.RequestTimeout.TotalSeconds:0.#} s";
                    cause = e;
                }
                catch (RemoteTransportException e)
                {
                    string what = e.Failure switch
                    {
                        RemoteFailure.NotFound => "not found: " + e.Message,
                        RemoteFailure.Forbidden => "access denied: " + e.Message,
                        RemoteFailure.Changed => "the object changed while open (its version no longer matches); reopen the slide: " + e.Message,
                        _ => e.Message,
                    };
                    throw new RemoteSourceException(transport.Name, range, what, e);
                }
            }

            if (attempt >= options.MaxRetries)
            {
                throw new RemoteSourceException(transport.Name, range, $"{transient} (gave up after {attempt + 1} attempts)", cause);
            }

            double jitter = 0.5 + Random.Shared.NextDouble();
            TimeSpan delay = options.RetryDelay * Math.Pow(2, attempt) * jitter;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The blocks under <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    private List<long> BlocksOf(long offset, int count)
    {
        var wanted = new List<long>();
        for (long b = offset / options.BlockSize; b <= (offset + count - 1) / options.BlockSize; b++)
        {
            wanted.Add(b);
        }

        return wanted;
    }

    private List<long> BlocksOf(IReadOnlyList<ByteRange> ranges)
    {
        var set = new SortedSet<long>();
        foreach (ByteRange r in ranges)
        {
            if (r.Length <= 0)
            {
                continue;
            }

            long last = Math.Min(r.End, length) - 1;
            for (long b = r.Offset / options.BlockSize; b <= last / options.BlockSize; b++)
            {
                set.Add(b);
            }
        }

        return [.. set];
    }

    /// <summary>
    /// The blocks <paramref name="wanted"/> (sorted): cached ones at once, ones another reader is fetching awaited,
    /// the rest claimed and fetched in merged runs, at most <see cref="RemoteOptions.MaxConcurrency"/> at a time.
    /// </summary>
    private async Task<Dictionary<long, byte[]>> EnsureBlocks(List<long> wanted, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var lookups = new BlockLookup[wanted.Count];
        var claimed = new List<int>();
        for (int i = 0; i < wanted.Count; i++)
        {
            lookups[i] = options.Cache.Lookup(new BlockKey(objectKey, wanted[i]));
            if (lookups[i].Claim is not null)
            {
                claimed.Add(i);
            }
        }

        if (claimed.Count > 0)
        {
            var runs = new List<(int First, int Last)>();
            long maxGapBlocks = options.MaxGap / options.BlockSize;
            long maxRunBlocks = Math.Max(1, options.MaxRequestLength / options.BlockSize);
            int runFirst = claimed[0], runLast = claimed[0];
            foreach (int i in claimed.Skip(1))
            {
                long gap = wanted[i] - wanted[runLast] - 1;
                if (gap <= maxGapBlocks && wanted[i] - wanted[runFirst] < maxRunBlocks)
                {
                    runLast = i;
                    continue;
                }

                runs.Add((runFirst, runLast));
                runFirst = runLast = i;
            }

            runs.Add((runFirst, runLast));
            using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
            await Task.WhenAll(runs.Select(run => FetchRun(run.First, run.Last, wanted, lookups, gate, cancellationToken))).ConfigureAwait(false);
        }

        var result = new Dictionary<long, byte[]>(wanted.Count);
        for (int i = 0; i < wanted.Count; i++)
        {
            result[wanted[i]] = lookups[i].Block ?? await lookups[i].Pending!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task FetchRun(int first, int last, List<long> wanted, BlockLookup[] lookups, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        long start = wanted[first] * options.BlockSize;
        long end = Math.Min((wanted[last] + 1) * options.BlockSize, length);
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            byte[] bytes;
            try
            {
                bytes = new byte[end - start];
                await Fetch(transport, options, start, bytes, version, length, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }

            for (int i = first; i <= last; i++)
            {
                if (lookups[i].Claim is { } claim)
                {
                    long blockStart = (wanted[i] * options.BlockSize) - start;
                    int blockLength = (int)Math.Min(options.BlockSize, end - start - blockStart);
                    options.Cache.Complete(new BlockKey(objectKey, wanted[i]), claim, bytes.AsSpan((int)blockStart, blockLength).ToArray());
                }
            }
        }
        catch (Exception e)
        {
            for (int i = first; i <= last; i++)
            {
                if (lookups[i].Claim is { } claim)
                {
                    options.Cache.Fail(new BlockKey(objectKey, wanted[i]), claim, e);
                }
            }

            throw;
        }
    }

    private void Store(long block, byte[] data)
    {
        var key = new BlockKey(objectKey, block);
        if (options.Cache.Lookup(key).Claim is { } claim)
        {
            options.Cache.Complete(key, claim, data);
        }
    }

    private void CopyFrom(Dictionary<long, byte[]> blocks, long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            long at = offset + done;
            byte[] block = blocks[at / options.BlockSize];
            int within = (int)(at % options.BlockSize);
            int n = Math.Min(destination.Length - done, block.Length - within);
            if (n <= 0)
            {
                throw new CorruptSlideException(Name, null, $"block {at / options.BlockSize} holds {block.Length} bytes, byte {at} was asked for (was the object truncated?)");
            }

            block.AsSpan(within, n).CopyTo(destination[done..]);
            done += n;
        }
    }

    private sealed class RemoteSiblings(RemoteSlideSource owner) : ISiblingResolver
    {
        public IReadOnlyList<string> List()
        {
            IReadOnlyList<string>? names = owner.transport.ListSiblingsAsync(CancellationToken.None).GetAwaiter().GetResult();
            return names ?? [];
        }

        public SlideSource Open(string name) => RemoteSlideSource.Open(owner.transport.OpenSibling(name), owner.options);
    }
}
