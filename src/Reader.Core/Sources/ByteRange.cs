namespace Reader.Core.Sources;

/// <summary>A run of bytes in a <see cref="SlideSource"/>: <paramref name="Length"/> bytes from <paramref name="Offset"/>.</summary>
/// <param name="Offset">First byte.</param>
/// <param name="Length">Bytes; 0 is an empty range.</param>
public readonly record struct ByteRange(long Offset, int Length)
{
    /// <summary>One past the last byte.</summary>
    public long End => Offset + Length;

    /// <inheritdoc />
    public override string ToString() => $"[{Offset}, {End})";
}

/// <summary>How <see cref="SlideSource.ReadRangesAsync"/> merges near-adjacent ranges into fewer reads.</summary>
public sealed record RangeReadOptions
{
    /// <summary>
    /// Two ranges are read as one when at most this many unwanted bytes lie between them (default 16 KiB):
    /// on a local disk a short gap costs less than a second call, remotely far less than a round trip.
    /// </summary>
    public int MaxGap { get; init; } = 16 << 10;

    /// <summary>A merged read never grows past this many bytes (default 4 MiB); a single larger range is read alone.</summary>
    public int MaxMergedLength { get; init; } = 4 << 20;

    /// <summary>Merged reads in flight at once (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>The defaults.</summary>
    public static RangeReadOptions Default { get; } = new();
}
