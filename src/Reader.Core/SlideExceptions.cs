namespace Reader.Core;

/// <summary>
/// Base of every error a slide can cause. The message names the file and, where known,
/// the IFD or level and the tile, e.g. "slide.tif: level 0 (IFD 0) tile (3, 7): JPEG data corrupt".
/// </summary>
public class SlideException : Exception
{
    public SlideException()
    {
    }

    public SlideException(string message)
        : base(message)
    {
    }

    public SlideException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error naming the file (<paramref name="path"/>), where in it (<paramref name="where"/>: level, tile) and why.</summary>
    public SlideException(string? path, string? where, string what, Exception? inner = null)
        : base(Compose(path, where, what), inner)
    {
        FilePath = path;
        Where = where;
        Reason = what;
    }

    /// <summary>The slide file, when the error concerns one.</summary>
    public string? FilePath { get; }

    /// <summary>Where in the file: "IFD 2", "level 1 (IFD 3) tile (4, 0)", or null.</summary>
    public string? Where { get; }

    /// <summary>What went wrong, without the file and location.</summary>
    public string? Reason { get; }

    private static string Compose(string? path, string? where, string what)
    {
        string file = path is null ? string.Empty : Path.GetFileName(path) + ": ";
        string location = where is null ? string.Empty : where + ": ";
        return file + location + what;
    }
}

/// <summary>The file is valid but uses something this reader does not support (a codec, a layout, a vendor).</summary>
public sealed class UnsupportedFormatException : SlideException
{
    public UnsupportedFormatException()
    {
    }

    public UnsupportedFormatException(string message)
        : base(message)
    {
    }

    public UnsupportedFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error naming the file, where in it and what is unsupported.</summary>
    public UnsupportedFormatException(string? path, string? where, string what, Exception? inner = null)
        : base(path, where, what, inner)
    {
    }
}

/// <summary>The file is damaged: truncated, inconsistent, or holding undecodable data.</summary>
public sealed class CorruptSlideException : SlideException
{
    public CorruptSlideException()
    {
    }

    public CorruptSlideException(string message)
        : base(message)
    {
    }

    public CorruptSlideException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error naming the file, where in it and what is damaged.</summary>
    public CorruptSlideException(string? path, string? where, string what, Exception? inner = null)
        : base(path, where, what, inner)
    {
    }
}

/// <summary>A request or a file exceeds one of the limits in <see cref="SlideLimits"/>; raised before any large allocation.</summary>
public sealed class SlideLimitException : SlideException
{
    public SlideLimitException()
    {
    }

    public SlideLimitException(string message)
        : base(message)
    {
    }

    public SlideLimitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error naming the file, where in it and which limit was exceeded.</summary>
    public SlideLimitException(string? path, string? where, string what)
        : base(path, where, what)
    {
    }
}

/// <summary>
/// Remote storage failed: not found, access denied, the object changed while open, or a transient failure that
/// outlasted its retries. The message names the address (never credentials) and the byte range.
/// </summary>
public sealed class RemoteSourceException : SlideException
{
    public RemoteSourceException()
    {
    }

    public RemoteSourceException(string message)
        : base(message)
    {
    }

    public RemoteSourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error naming the address, the byte range and what went wrong.</summary>
    public RemoteSourceException(string address, string? range, string what, Exception? inner = null)
        : base(null, range is null ? address : $"{address} ({range})", what, inner)
    {
        Address = address;
    }

    /// <summary>The object's address (scheme, host and path; no credentials, no query string).</summary>
    public string? Address { get; }
}
