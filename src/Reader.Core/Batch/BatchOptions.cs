namespace Reader.Core.Batch;

/// <summary>
/// How <see cref="Slide.ReadRegions"/> reads a list of patches. Cancellation is not an option: it is
/// the call's <c>cancellationToken</c> parameter (or the enumerator's token).
/// </summary>
public sealed record BatchOptions
{
    /// <summary>Threads reading patches (default: the core count).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Patches per batch (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Batches read ahead of the one the consumer holds (default 2), which bounds the memory in flight.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Shuffle the locations (deterministically for a <see cref="Seed"/>) before batching.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Seed of the shuffle.</summary>
    public int Seed { get; init; }

    /// <summary>Drop a last batch smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Pixel layout of the batch (default RGB).</summary>
    public PixelFormat Format { get; init; } = PixelFormat.Rgb24;

    /// <summary>The defaults.</summary>
    public static BatchOptions Default { get; } = new();
}

/// <summary>A patch's top-left corner in level-0 coordinates.</summary>
public readonly record struct PatchLocation(long X, long Y);

/// <summary>A patch failed; the batches before it were delivered. The inner exception says why.</summary>
public sealed class PatchReadException : SlideException
{
    public PatchReadException()
    {
    }

    public PatchReadException(string message)
        : base(message)
    {
    }

    public PatchReadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal PatchReadException(int index, PatchLocation location, int level, Exception inner)
        : base($"patch {index} at ({location.X}, {location.Y}) level {level}: {inner.Message}", inner)
    {
        Index = index;
        Location = location;
    }

    /// <summary>The patch's position in the (shuffled) order.</summary>
    public int Index { get; }

    /// <summary>The failing patch.</summary>
    public PatchLocation Location { get; }
}
