namespace Reader.Core.Sources.Remote;

/// <summary>How remote slides are read: block size and cache, read-ahead at open, merging, concurrency, retries.</summary>
public sealed record RemoteOptions
{
    /// <summary>Defaults: 256 KiB blocks in the shared cache, 1 MiB read ahead at open, 8 requests in flight, 4 retries from 100 ms.</summary>
    public static RemoteOptions Default { get; } = new();

    /// <summary>Bytes per cached block; reads are aligned to blocks.</summary>
    public int BlockSize { get; init; } = 256 << 10;

    /// <summary>The block cache (shared by every remote slide of the process unless you give one of your own).</summary>
    public RemoteBlockCache Cache { get; init; } = RemoteBlockCache.Shared;

    /// <summary>Bytes read with the first request (the header and, for most pyramidal TIFFs, the first directories).</summary>
    public int OpenReadAhead { get; init; } = 1 << 20;

    /// <summary>Missing blocks at most this many bytes apart are fetched by one request (the gap is read too).</summary>
    public int MaxGap { get; init; } = 256 << 10;

    /// <summary>The largest merged request.</summary>
    public int MaxRequestLength { get; init; } = 16 << 20;

    /// <summary>Requests one read (a region's or a batch's tiles) issues at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Retries of a transient failure (timeouts, 5xx, resets, short bodies) before it is reported.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Delay before the first retry; each next one doubles, with jitter of plus or minus half.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Time one request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
