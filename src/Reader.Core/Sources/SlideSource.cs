namespace Reader.Core.Sources;

/// <summary>
/// Where a slide's bytes come from: the only way any part of the reader reads them. Implementations
/// read at an offset without a shared position, so any number of threads may read at once. Local files
/// read synchronously without allocating (<see cref="OpenFile"/>); memory and seekable streams work the
/// same way (<see cref="FromMemory"/>, <see cref="FromStream"/>); a remote source overrides the asynchronous
/// read (and may override the batched one). The region path reads tiles synchronously today; the batched
/// read is the hook for remote sources. Every short read is a <see cref="CorruptSlideException"/> naming the source and range.
/// </summary>
public abstract class SlideSource : IDisposable
{
    private int disposed;

    /// <summary>How messages name this source: a path or a URI (never credentials).</summary>
    public abstract string Name { get; }

    /// <summary>Bytes in the source.</summary>
    public abstract long Length { get; }

    /// <summary>True once disposed: later reads throw <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>
    /// Finds the other sources of a multi-file slide (a DICOM series, MIRAX data files) beside this one,
    /// or null when this source has no siblings (memory, a stream).
    /// </summary>
    public virtual ISiblingResolver? Siblings => null;

    /// <summary>
    /// Identifies these exact bytes across opens (a file's full path, length and last write time), so work derived
    /// from them alone, such as quickhash-1, can be reused by the next open; null when there is no such identity.
    /// </summary>
    internal virtual string? ContentIdentity => null;

    /// <summary>Opens a local file for positional reads (no lock, no allocation per read).</summary>
    public static SlideSource OpenFile(string path) => FileSlideSource.Open(path);

    /// <summary>A slide held in memory; <paramref name="name"/> names it in messages.</summary>
    public static SlideSource FromMemory(ReadOnlyMemory<byte> bytes, string name = "memory") => new MemorySlideSource(bytes, name);

    /// <summary>
    /// A slide in a readable, seekable stream (reads are serialised on it). The stream is disposed with the
    /// source unless <paramref name="leaveOpen"/>.
    /// </summary>
    public static SlideSource FromStream(Stream stream, string? name = null, bool leaveOpen = false) => new StreamSlideSource(stream, name, leaveOpen);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; fewer only at the end of the source.</summary>
    public int Read(long offset, Span<byte> destination)
    {
        int want = Readable(offset, destination.Length);
        int done = 0;
        while (done < want)
        {
            int n = ReadCore(offset + done, destination[done..want]);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, or throws <see cref="CorruptSlideException"/>.</summary>
    public void ReadExactly(long offset, Span<byte> destination) => ReadExactly(offset, destination, default);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; fewer only at the end of the source.</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int want = Readable(offset, destination.Length);
        int done = 0;
        while (done < want)
        {
            int n = await ReadCoreAsync(offset + done, destination[done..want], cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    /// <summary>
    /// Reads many ranges, merging near-adjacent and overlapping ones into fewer, larger reads (thresholds in
    /// <paramref name="options"/>) issued concurrently. Returns each requested range's bytes, in request order.
    /// A range that runs past the end of the source throws <see cref="CorruptSlideException"/> naming it.
    /// </summary>
    public virtual async Task<IReadOnlyList<ReadOnlyMemory<byte>>> ReadRangesAsync(IReadOnlyList<ByteRange> ranges, RangeReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        options ??= RangeReadOptions.Default;
        List<MergedRead> reads = RangeCoalescer.Plan(ranges, options, out int[] order);
        var results = new ReadOnlyMemory<byte>[ranges.Count];
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        var tasks = new Task[reads.Count];
        for (int k = 0; k < reads.Count; k++)
        {
            MergedRead read = reads[k];
            tasks[k] = ReadMergedAsync(read, ranges, order, results, gate, cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            Dispose(true);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Reads exactly, naming <paramref name="where"/> (level, tile) in the error.</summary>
    internal void ReadExactly(long offset, Span<byte> destination, ErrorSite where)
    {
        long length = Length;
        if (offset < 0 || offset > length || destination.Length > length - offset)
        {
            throw new CorruptSlideException(Name, Describe(where), $"{destination.Length} bytes at offset {offset} lie beyond the end of the source ({length} bytes)");
        }

        int n = Read(offset, destination);
        if (n != destination.Length)
        {
            throw new CorruptSlideException(Name, Describe(where), $"source ended after {n} of {destination.Length} bytes at offset {offset} (was it truncated while open?)");
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (which lies inside the source); returns the count, 0 at the end.</summary>
    protected abstract int ReadCore(long offset, Span<byte> destination);

    /// <summary>The asynchronous read; by default the synchronous one (local sources finish at once).</summary>
    protected virtual ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(ReadCore(offset, destination.Span));
    }

    /// <summary>
    /// Told the ranges a region or batch is about to read one by one, a source that pays per request (remote
    /// storage) fetches them together first; local sources ignore it.
    /// </summary>
    internal virtual void Prefetch(IReadOnlyList<ByteRange> ranges)
    {
    }

    /// <summary>True for sources whose <see cref="Prefetch"/> does something.</summary>
    internal virtual bool WantsPrefetch => false;

    /// <summary>Releases what the source holds; called once.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>How many of <paramref name="wanted"/> bytes at <paramref name="offset"/> the source holds.</summary>
    private int Readable(long offset, int wanted)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long length = Length;
        return offset >= length ? 0 : (int)Math.Min(wanted, length - offset);
    }

    private static string? Describe(ErrorSite where)
    {
        string text = where.ToString();
        return text.Length == 0 ? null : text;
    }

    private async Task ReadMergedAsync(MergedRead read, IReadOnlyList<ByteRange> ranges, int[] order, ReadOnlyMemory<byte>[] results, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (read.Range.End > Length)
            {
                // Name the first request past the end, before allocating anything for it.
                int beyond = order.AsSpan(read.FirstMember, read.MemberCount).ToArray().First(m => ranges[m].End > Length);
                throw new CorruptSlideException(Name, null, $"range {ranges[beyond]} (request {beyond}) runs past the end of the source ({Length} bytes)");
            }

            var buffer = new byte[read.Range.Length];
            int n = await ReadAsync(read.Range.Offset, buffer, cancellationToken).ConfigureAwait(false);
            for (int m = read.FirstMember; m < read.FirstMember + read.MemberCount; m++)
            {
                ByteRange wanted = ranges[order[m]];
                int start = (int)(wanted.Offset - read.Range.Offset);
                if (start + wanted.Length > n)
                {
                    throw new CorruptSlideException(Name, null, $"range {wanted} (request {order[m]}) runs past the end of the source: {read.Range.Offset + n} bytes readable");
                }

                results[order[m]] = buffer.AsMemory(start, wanted.Length);
            }
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>Finds and opens the other sources of a multi-file slide.</summary>
public interface ISiblingResolver
{
    /// <summary>Names of the sources beside this one (for files: the file names in its folder, sorted), this one included.</summary>
    IReadOnlyList<string> List();

    /// <summary>Opens sibling <paramref name="name"/> (one of <see cref="List"/>).</summary>
    SlideSource Open(string name);
}
