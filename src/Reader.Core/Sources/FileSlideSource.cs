using Microsoft.Win32.SafeHandles;

namespace Reader.Core.Sources;

/// <summary>
/// A local file read with positional reads (pread): no shared stream position, so any number of threads
/// read at once without a lock. Disposing while others read makes their reads throw
/// <see cref="ObjectDisposedException"/> (SafeHandle reference counting).
/// </summary>
internal sealed class FileSlideSource : SlideSource
{
    private readonly SafeFileHandle handle;
    private readonly string path;
    private readonly long length;

    private FileSlideSource(string path, SafeFileHandle handle, long length)
    {
        this.path = path;
        this.handle = handle;
        this.length = length;
        ContentIdentity = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{System.IO.Path.GetFullPath(path)}|{length}|{File.GetLastWriteTimeUtc(path).Ticks}");
    }

    public override string Name => path;

    public override long Length => length;

    public override ISiblingResolver? Siblings => new FolderSiblings(path);

    internal override string? ContentIdentity { get; }

    public static FileSlideSource Open(string path)
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
            return new FileSlideSource(path, handle, RandomAccess.GetLength(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    protected override int ReadCore(long offset, Span<byte> destination) => RandomAccess.Read(handle, destination, offset);

    protected override ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(handle, destination, offset, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        handle.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The files in the same folder (opening an empty one, a pipe or a device is refused).</summary>
    private sealed class FolderSiblings(string path) : ISiblingResolver
    {
        private readonly string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";

        public IReadOnlyList<string> List() =>
            [.. Directory.EnumerateFiles(folder).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

        public SlideSource Open(string name)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (name != System.IO.Path.GetFileName(name))
            {
                throw new ArgumentException($"'{name}' is not a file name in {folder}", nameof(name));
            }

            string full = System.IO.Path.Combine(folder, name);
            if (new FileInfo(full).Length == 0)
            {
                // Pipes, sockets and devices report no length, and opening a pipe would block: no slide file is empty.
                throw new IOException($"{full} is empty or not a regular file");
            }

            return FileSlideSource.Open(full);
        }
    }
}
