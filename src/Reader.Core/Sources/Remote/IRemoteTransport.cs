namespace Reader.Core.Sources.Remote;

/// <summary>
/// One remote object (an HTTP resource, an S3 object, an Azure blob) as <see cref="RemoteSlideSource"/> reads it:
/// ranged reads that report the object's length and version, and a listing of the objects beside it. Transports
/// do no caching and no retrying (the source does both, once, for all of them); they turn every failure into a
/// <see cref="RemoteTransportException"/> saying whether it is worth retrying. Thread-safe.
/// </summary>
public interface IRemoteTransport : IDisposable
{
    /// <summary>How messages name the object: its address without credentials, query string or fragment.</summary>
    string Name { get; }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>. When
    /// <paramref name="expectedVersion"/> is set the read must fail with <see cref="RemoteFailure.Changed"/> if the
    /// object is no longer that version (If-Match). A read at or past the end returns 0 bytes.
    /// </summary>
    Task<RemoteRead> ReadAsync(long offset, Memory<byte> destination, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Names of the objects beside this one (same folder or prefix), this one included; null when the store cannot list.</summary>
    Task<IReadOnlyList<string>?> ListSiblingsAsync(CancellationToken cancellationToken);

    /// <summary>A transport for sibling <paramref name="name"/> (one of <see cref="ListSiblingsAsync"/>'s).</summary>
    IRemoteTransport OpenSibling(string name);
}

/// <summary>What one ranged read returned.</summary>
/// <param name="Count">Bytes written to the destination.</param>
/// <param name="ObjectLength">The whole object's length, from Content-Range or the listing.</param>
/// <param name="Version">The object's ETag (or Last-Modified when it has none), or null when the store gives neither.</param>
public readonly record struct RemoteRead(int Count, long ObjectLength, string? Version);

/// <summary>How a remote read failed.</summary>
public enum RemoteFailure
{
    /// <summary>Timeouts, 5xx, 429, connection resets, short bodies: retried with backoff.</summary>
    Transient,

    /// <summary>404: fails at once.</summary>
    NotFound,

    /// <summary>401, 403: fails at once.</summary>
    Forbidden,

    /// <summary>412, or a version other than the one pinned at open: the object changed under the reader.</summary>
    Changed,

    /// <summary>Anything else (a server without range support, a malformed response): fails at once.</summary>
    Permanent,
}

/// <summary>A transport's failure, classified; its message never holds credentials.</summary>
public sealed class RemoteTransportException : Exception
{
    public RemoteTransportException()
    {
    }

    public RemoteTransportException(string message)
        : base(message)
    {
    }

    public RemoteTransportException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public RemoteTransportException(RemoteFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Whether to retry, and what to tell the user otherwise.</summary>
    public RemoteFailure Failure { get; }

    /// <summary>What an HTTP status means for a ranged read, for every store (0: no response at all).</summary>
    public static RemoteFailure FailureOf(int status) => status switch
    {
        404 or 410 => RemoteFailure.NotFound,
        401 or 403 => RemoteFailure.Forbidden,
        412 => RemoteFailure.Changed,
        0 or 408 or 429 or >= 500 => RemoteFailure.Transient,
        _ => RemoteFailure.Permanent,
    };

    /// <summary>The object's length from a Content-Range value ("bytes a-b/total"), or null.</summary>
    public static long? TotalOf(string? contentRange)
    {
        int slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long total) ? total : null;
    }
}
