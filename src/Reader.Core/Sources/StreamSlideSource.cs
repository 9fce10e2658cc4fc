namespace Reader.Core.Sources;

/// <summary>
/// A slide in a seekable stream. A stream has one position, so reads take turns (a lock for synchronous
/// reads, the same semaphore for asynchronous ones); the length is taken once, at open.
/// </summary>
internal sealed class StreamSlideSource : SlideSource
{
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly SemaphoreSlim gate = new(1, 1);

    public StreamSlideSource(Stream stream, string? name, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        }

        this.stream = stream;
        this.leaveOpen = leaveOpen;
        Name = name ?? (stream as FileStream)?.Name ?? "stream";
        Length = stream.Length;
    }

    public override string Name { get; }

    public override long Length { get; }

    protected override int ReadCore(long offset, Span<byte> destination)
    {
        gate.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            stream.Position = offset;
            return stream.Read(destination);
        }
        finally
        {
            gate.Release();
        }
    }

    protected override async ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            stream.Position = offset;
            return await stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        gate.Wait();
        try
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }
        }
        finally
        {
            gate.Release();
            base.Dispose(disposing);
        }
    }
}
