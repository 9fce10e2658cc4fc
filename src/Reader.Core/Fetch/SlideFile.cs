using Microsoft.Win32.SafeHandles;

namespace Reader.Core.Fetch;

/// <summary>
/// The slide file, read only with positional reads (pread): no shared stream position,
/// so any number of threads read at once without a lock. Disposing while others read
/// makes their reads throw <see cref="ObjectDisposedException"/> (SafeHandle reference counting).
/// </summary>
internal sealed class SlideFile : IDisposable
{
    private readonly SafeFileHandle handle;

    private SlideFile(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        this.handle = handle;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    public bool IsDisposed => handle.IsClosed;

    public static SlideFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException e)
        {
            throw new SlideException(path, null, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new SlideException(path, null, "directory not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SlideException(path, null, "access denied", e);
        }
        catch (IOException e)
        {
            throw new SlideException(path, null, "cannot open: " + e.Message, e);
        }

        try
        {
            return new SlideFile(path, handle, RandomAccess.GetLength(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    public void ReadExactly(long offset, Span<byte> destination, ErrorSite where)
    {
        if (offset < 0 || offset > Length || destination.Length > Length - offset)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"{destination.Length} bytes at offset {offset} lie beyond the end of the file ({Length} bytes)");
        }

        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[done..], offset + done);
            if (n <= 0)
            {
                throw new CorruptSlideException(Path, where.ToString(), $"file ended while reading {destination.Length} bytes at offset {offset} (was it truncated while open?)");
            }

            done += n;
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; returns the count.</summary>
    public int ReadAtMost(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset >= Length)
        {
            return 0;
        }

        int want = (int)Math.Min(destination.Length, Length - offset);
        int done = 0;
        while (done < want)
        {
            int n = RandomAccess.Read(handle, destination[done..want], offset + done);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    public void Dispose() => handle.Dispose();
}
