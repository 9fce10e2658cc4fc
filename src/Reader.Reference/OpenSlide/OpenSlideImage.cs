using System.Buffers;
using System.Runtime.InteropServices;

namespace Reader.Reference.OpenSlide;

/// <summary>
/// A slide opened by libopenslide: a thin binding over its C API. Thread-safe: any number of
/// threads may read from one instance at once (OpenSlide handles are), and <see cref="Dispose"/>
/// never frees the handle under a call in progress. After Dispose every member throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// OpenSlide's errors are sticky: once a call fails, the handle is dead and every call returns
/// nothing useful. This class reads <c>openslide_get_error</c> after every call and throws an
/// <see cref="OpenSlideException"/> naming the file; from then on every call throws again.
/// Arguments OpenSlide would not reject itself (a level out of range, an unknown associated image)
/// throw <see cref="ArgumentException"/>s instead, and a negative region size, which OpenSlide
/// would turn into a terminal error on the handle, is rejected before the call.
/// </remarks>
public sealed class OpenSlideImage : IDisposable
{
    private readonly OpenSlideHandle handle;
    private readonly int levelCount;

    private OpenSlideImage(OpenSlideHandle handle, string path, int levelCount)
    {
        this.handle = handle;
        this.levelCount = levelCount;
        FilePath = path;
    }

    /// <summary>True when libopenslide (3.4.0 or later) loaded and has every entry point this binding needs.</summary>
    public static bool IsAvailable => OpenSlideLibrary.IsAvailable;

    /// <summary>Why OpenSlide is unavailable; empty when it is available.</summary>
    public static string UnavailableReason => OpenSlideLibrary.UnavailableReason;

    /// <summary>The loaded library's version (<c>openslide_get_version</c>), e.g. "3.4.1"; null when unavailable.</summary>
    public static string? LibraryVersion => OpenSlideLibrary.Version;

    /// <summary>True when the loaded OpenSlide has the 4.0 tile cache API (<see cref="OpenSlideCache"/>, <see cref="SetCache"/>).</summary>
    public static bool SupportsCache => OpenSlideLibrary.SupportsCache;

    /// <summary>True when the loaded OpenSlide has the 4.0 ICC profile API (<see cref="ReadIccProfile"/>, <see cref="ReadAssociatedImageIccProfile"/>).</summary>
    public static bool SupportsIcc => OpenSlideLibrary.SupportsIcc;

    /// <summary>True once <c>openslide_close</c> has run: after <see cref="Dispose"/>, once the last call in progress has left.</summary>
    public bool IsClosed => handle.IsClosed;

    /// <summary>The path the slide was opened with.</summary>
    public string FilePath { get; }

    /// <summary>The number of levels (<c>openslide_get_level_count</c>).</summary>
    public int LevelCount
    {
        get
        {
            using OpenSlideHandle.Lease lease = Enter();
            int count = OpenSlideMethods.GetLevelCount(lease.Pointer);
            ThrowIfFailed(lease.Pointer);
            return count;
        }
    }

    /// <summary>Level 0's width and height.</summary>
    public (long Width, long Height) Dimensions => LevelDimensions(0);

    /// <summary>The names of the slide's properties (<c>openslide_get_property_names</c>).</summary>
    public IReadOnlyList<string> PropertyNames
    {
        get
        {
            using OpenSlideHandle.Lease lease = Enter();
            string[] names;
            unsafe
            {
                names = OpenSlideMethods.CopyStringArray(OpenSlideMethods.GetPropertyNames(lease.Pointer));
            }

            ThrowIfFailed(lease.Pointer);
            return names;
        }
    }

    /// <summary>The names of the associated images, e.g. "label", "macro", "thumbnail" (<c>openslide_get_associated_image_names</c>).</summary>
    public IReadOnlyList<string> AssociatedImageNames
    {
        get
        {
            using OpenSlideHandle.Lease lease = Enter();
            string[] names;
            unsafe
            {
                names = OpenSlideMethods.CopyStringArray(OpenSlideMethods.GetAssociatedImageNames(lease.Pointer));
            }

            ThrowIfFailed(lease.Pointer);
            return names;
        }
    }

    /// <summary>The vendor OpenSlide recognises <paramref name="path"/> as (<c>openslide_detect_vendor</c>), or null when it does not.</summary>
    /// <exception cref="DllNotFoundException">OpenSlide is unavailable (see <see cref="UnavailableReason"/>).</exception>
    public static string? DetectVendor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OpenSlideLibrary.ThrowIfUnavailable();
        return OpenSlideMethods.CopyString(OpenSlideMethods.DetectVendor(path));
    }

    /// <summary>Opens a slide (<c>openslide_open</c>).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="OpenSlideException">OpenSlide does not recognise the file, or recognised it and failed to open it.</exception>
    /// <exception cref="DllNotFoundException">OpenSlide is unavailable (see <see cref="UnavailableReason"/>).</exception>
    public static OpenSlideImage Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OpenSlideLibrary.ThrowIfUnavailable();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        IntPtr osr = OpenSlideMethods.Open(path);
        if (osr == IntPtr.Zero)
        {
            throw new OpenSlideException($"{path}: not a file OpenSlide can read", path, null);
        }

        var handle = new OpenSlideHandle(osr);
        try
        {
            int count;
            using (OpenSlideHandle.Lease lease = handle.Acquire())
            {
                ThrowIfFailed(lease.Pointer, path);
                count = OpenSlideMethods.GetLevelCount(lease.Pointer);
                ThrowIfFailed(lease.Pointer, path);
            }

            return new OpenSlideImage(handle, path, count);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The width and height of <paramref name="level"/> (<c>openslide_get_level_dimensions</c>).</summary>
    public (long Width, long Height) LevelDimensions(int level)
    {
        using OpenSlideHandle.Lease lease = Enter();
        CheckLevel(level);
        OpenSlideMethods.GetLevelDimensions(lease.Pointer, level, out long width, out long height);
        ThrowIfFailed(lease.Pointer);
        return (width, height);
    }

    /// <summary>The downsample factor of <paramref name="level"/> relative to level 0 (<c>openslide_get_level_downsample</c>).</summary>
    public double LevelDownsample(int level)
    {
        using OpenSlideHandle.Lease lease = Enter();
        CheckLevel(level);
        double downsample = OpenSlideMethods.GetLevelDownsample(lease.Pointer, level);
        ThrowIfFailed(lease.Pointer);
        return downsample;
    }

    /// <summary>The level to read for displaying at <paramref name="downsample"/> (<c>openslide_get_best_level_for_downsample</c>).</summary>
    public int GetBestLevelForDownsample(double downsample)
    {
        using OpenSlideHandle.Lease lease = Enter();
        int level = OpenSlideMethods.GetBestLevelForDownsample(lease.Pointer, downsample);
        ThrowIfFailed(lease.Pointer);
        return level;
    }

    /// <summary>The value of property <paramref name="name"/>, or null when the slide has no such property.</summary>
    public string? GetProperty(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using OpenSlideHandle.Lease lease = Enter();
        string? value = OpenSlideMethods.CopyString(OpenSlideMethods.GetPropertyValue(lease.Pointer, name));
        ThrowIfFailed(lease.Pointer);
        return value;
    }

    /// <summary>The width and height of associated image <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The slide has no associated image of that name.</exception>
    public (long Width, long Height) GetAssociatedImageDimensions(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using OpenSlideHandle.Lease lease = Enter();
        return AssociatedDimensions(lease.Pointer, name);
    }

    /// <summary>
    /// Reads associated image <paramref name="name"/> as premultiplied ARGB, one native-endian
    /// <see cref="uint"/> a pixel, rows top to bottom (<c>openslide_read_associated_image</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The slide has no associated image of that name.</exception>
    public uint[] ReadAssociatedImage(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using OpenSlideHandle.Lease lease = Enter();
        long pixels = AssociatedPixels(lease.Pointer, name, 1);
        var argb = new uint[pixels];
        ReadAssociatedImage(lease.Pointer, name, argb);
        return argb;
    }

    /// <summary>Reads associated image <paramref name="name"/> as straight (non-premultiplied) RGBA bytes (see <see cref="ArgbConversion"/>).</summary>
    /// <exception cref="ArgumentException">The slide has no associated image of that name.</exception>
    public byte[] ReadAssociatedImageRgba(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using OpenSlideHandle.Lease lease = Enter();
        long pixels = AssociatedPixels(lease.Pointer, name, 4);
        var rgba = new byte[pixels * 4];
        Span<uint> argb = MemoryMarshal.Cast<byte, uint>(rgba.AsSpan());
        ReadAssociatedImage(lease.Pointer, name, argb);
        ArgbConversion.ToRgba(argb, rgba);
        return rgba;
    }

    /// <summary>
    /// Reads a <paramref name="width"/> x <paramref name="height"/> region of <paramref name="level"/> as
    /// premultiplied ARGB, one native-endian <see cref="uint"/> a pixel, rows top to bottom
    /// (<c>openslide_read_region</c>). <paramref name="x"/> and <paramref name="y"/> are the top-left
    /// corner in level-0 coordinates. Pixels outside the slide are transparent (0).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bad level, a negative size, or a destination shorter than <c>width * height</c>.</exception>
    /// <exception cref="OpenSlideException">OpenSlide failed (the handle is dead from then on).</exception>
    public void ReadRegion(long x, long y, int level, int width, int height, Span<uint> argbDestination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        long pixels = (long)width * height;
        if (argbDestination.Length < pixels)
        {
            throw new ArgumentOutOfRangeException(
                nameof(argbDestination), argbDestination.Length, $"a {width}x{height} region needs {pixels} pixels");
        }

        using OpenSlideHandle.Lease lease = Enter();
        CheckLevel(level);
        if (pixels > 0)
        {
            unsafe
            {
                fixed (uint* destination = argbDestination)
                {
                    OpenSlideMethods.ReadRegion(lease.Pointer, destination, x, y, level, width, height);
                }
            }
        }

        ThrowIfFailed(lease.Pointer);
    }

    /// <summary>Reads a region (see <see cref="ReadRegion(long, long, int, int, int, Span{uint})"/>) into a new premultiplied ARGB array.</summary>
    public uint[] ReadRegion(long x, long y, int level, int width, int height)
    {
        var argb = new uint[RegionPixels(width, height, 1)];
        ReadRegion(x, y, level, width, height, argb);
        return argb;
    }

    /// <summary>
    /// Reads a region (see <see cref="ReadRegion(long, long, int, int, int, Span{uint})"/>) as straight (non-premultiplied) RGBA bytes,
    /// <c>width * height * 4</c> of them: the bytes openslide-python's <c>read_region</c> returns.
    /// </summary>
    public byte[] ReadRegionRgba(long x, long y, int level, int width, int height)
    {
        var rgba = new byte[RegionPixels(width, height, 4) * 4];
        Span<uint> argb = MemoryMarshal.Cast<byte, uint>(rgba.AsSpan());
        ReadRegion(x, y, level, width, height, argb);
        ArgbConversion.ToRgba(argb, rgba);
        return rgba;
    }

    /// <summary>
    /// Reads a region (see <see cref="ReadRegion(long, long, int, int, int, Span{uint})"/>) as straight RGB bytes, <c>width * height * 3</c>
    /// of them (un-premultiplied, then alpha dropped: transparent pixels are black).
    /// </summary>
    public byte[] ReadRegionRgb(long x, long y, int level, int width, int height)
    {
        long pixels = RegionPixels(width, height, 3);
        var rgb = new byte[pixels * 3];
        uint[] argb = ArrayPool<uint>.Shared.Rent((int)pixels);
        try
        {
            Span<uint> region = argb.AsSpan(0, (int)pixels);
            ReadRegion(x, y, level, width, height, region);
            ArgbConversion.ToRgb(region, rgb);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(argb);
        }

        return rgb;
    }

    /// <summary>
    /// Makes this slide use <paramref name="cache"/> instead of its private one (<c>openslide_set_cache</c>, OpenSlide 4.0).
    /// The slide holds its own reference: the cache may be disposed afterwards.
    /// </summary>
    /// <exception cref="NotSupportedException">The loaded OpenSlide is older than 4.0 (<see cref="SupportsCache"/> is false).</exception>
    public void SetCache(OpenSlideCache cache)
    {
        OpenSlideLibrary.ThrowIfCacheUnsupported();
        ArgumentNullException.ThrowIfNull(cache);
        using OpenSlideHandle.Lease lease = Enter();
        bool added = false;
        try
        {
            cache.Handle.DangerousAddRef(ref added);
            OpenSlideMethods.SetCache(lease.Pointer, cache.Handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                cache.Handle.DangerousRelease();
            }
        }

        ThrowIfFailed(lease.Pointer);
    }

    /// <summary>The slide's ICC colour profile (OpenSlide 4.0), or null when it has none.</summary>
    /// <exception cref="NotSupportedException">The loaded OpenSlide is older than 4.0 (<see cref="SupportsIcc"/> is false).</exception>
    public byte[]? ReadIccProfile()
    {
        OpenSlideLibrary.ThrowIfIccUnsupported();
        using OpenSlideHandle.Lease lease = Enter();
        long size = OpenSlideMethods.GetIccProfileSize(lease.Pointer);
        ThrowIfFailed(lease.Pointer);
        if (size <= 0)
        {
            return null;
        }

        byte[] profile = AllocateProfile(size, "the slide");
        unsafe
        {
            fixed (byte* destination = profile)
            {
                OpenSlideMethods.ReadIccProfile(lease.Pointer, destination);
            }
        }

        ThrowIfFailed(lease.Pointer);
        return profile;
    }

    /// <summary>The ICC colour profile of associated image <paramref name="name"/> (OpenSlide 4.0), or null when it has none.</summary>
    /// <exception cref="NotSupportedException">The loaded OpenSlide is older than 4.0 (<see cref="SupportsIcc"/> is false).</exception>
    /// <exception cref="ArgumentException">The slide has no associated image of that name.</exception>
    public byte[]? ReadAssociatedImageIccProfile(string name)
    {
        OpenSlideLibrary.ThrowIfIccUnsupported();
        ArgumentNullException.ThrowIfNull(name);
        using OpenSlideHandle.Lease lease = Enter();
        long size = OpenSlideMethods.GetAssociatedImageIccProfileSize(lease.Pointer, name);
        ThrowIfFailed(lease.Pointer);
        if (size < 0)
        {
            throw NoSuchAssociatedImage(name);
        }

        if (size == 0)
        {
            return null;
        }

        byte[] profile = AllocateProfile(size, $"associated image '{name}'");
        unsafe
        {
            fixed (byte* destination = profile)
            {
                OpenSlideMethods.ReadAssociatedImageIccProfile(lease.Pointer, name, destination);
            }
        }

        ThrowIfFailed(lease.Pointer);
        return profile;
    }

    /// <summary>Closes the slide (<c>openslide_close</c>) once no call is in progress; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"OpenSlide {FilePath}";

    private static void ThrowIfFailed(IntPtr osr, string path)
    {
        string? error = OpenSlideMethods.CopyString(OpenSlideMethods.GetError(osr));
        if (error is not null)
        {
            throw new OpenSlideException($"{path}: OpenSlide: {error}", path, error);
        }
    }

    private static long RegionPixels(int width, int height, int bytesPerPixel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        long pixels = (long)width * height;
        if (pixels * bytesPerPixel > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(width), $"a {width}x{height} region does not fit one array of {bytesPerPixel}-byte pixels");
        }

        return pixels;
    }

    private OpenSlideHandle.Lease Enter()
    {
        try
        {
            return handle.Acquire();
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(ToString(), "the OpenSlide slide has been disposed");
        }
    }

    private void ThrowIfFailed(IntPtr osr) => ThrowIfFailed(osr, FilePath);

    private void CheckLevel(int level)
    {
        if ((uint)level >= (uint)levelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"{FilePath} has levels 0 to {levelCount - 1}");
        }
    }

    private (long Width, long Height) AssociatedDimensions(IntPtr osr, string name)
    {
        OpenSlideMethods.GetAssociatedImageDimensions(osr, name, out long width, out long height);
        ThrowIfFailed(osr);
        if (width < 0 || height < 0)
        {
            throw NoSuchAssociatedImage(name);
        }

        return (width, height);
    }

    private long AssociatedPixels(IntPtr osr, string name, int bytesPerPixel)
    {
        (long width, long height) = AssociatedDimensions(osr, name);
        long pixels = width * height;
        if (pixels * bytesPerPixel > Array.MaxLength)
        {
            throw new OpenSlideException($"{FilePath}: associated image '{name}' ({width}x{height}) is too large for one array", FilePath, null);
        }

        return pixels;
    }

    private void ReadAssociatedImage(IntPtr osr, string name, Span<uint> argbDestination)
    {
        unsafe
        {
            fixed (uint* destination = argbDestination)
            {
                OpenSlideMethods.ReadAssociatedImage(osr, name, destination);
            }
        }

        ThrowIfFailed(osr);
    }

    private ArgumentException NoSuchAssociatedImage(string name) =>
        new($"{FilePath} has no associated image '{name}'", nameof(name));

    private byte[] AllocateProfile(long size, string what)
    {
        if (size > Array.MaxLength)
        {
            throw new OpenSlideException($"{FilePath}: the ICC profile of {what} ({size} bytes) is too large", FilePath, null);
        }

        return new byte[size];
    }
}
