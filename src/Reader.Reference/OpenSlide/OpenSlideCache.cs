namespace Reader.Reference.OpenSlide;

/// <summary>
/// An OpenSlide 4.0 tile cache (<c>openslide_cache_t</c>) that several slides can share through
/// <see cref="OpenSlideImage.SetCache"/>. OpenSlide counts references: a slide keeps the cache
/// alive after this object is disposed. On OpenSlide 3.x, <see cref="Create"/> throws
/// <see cref="NotSupportedException"/> (see <see cref="OpenSlideImage.SupportsCache"/>).
/// </summary>
public sealed class OpenSlideCache : IDisposable
{
    private OpenSlideCache(OpenSlideCacheHandle handle, long capacity)
    {
        Handle = handle;
        CapacityBytes = capacity;
    }

    /// <summary>The capacity the cache was created with, in bytes of decoded pixels.</summary>
    public long CapacityBytes { get; }

    internal OpenSlideCacheHandle Handle { get; }

    /// <summary>Creates a cache holding up to <paramref name="capacityBytes"/> bytes (<c>openslide_cache_create</c>).</summary>
    /// <exception cref="NotSupportedException">The loaded OpenSlide is older than 4.0 (or missing).</exception>
    public static OpenSlideCache Create(long capacityBytes)
    {
        OpenSlideLibrary.ThrowIfCacheUnsupported();
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        if ((ulong)capacityBytes > nuint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "larger than this process can address");
        }

        IntPtr cache = OpenSlideMethods.CacheCreate((nuint)capacityBytes);
        if (cache == IntPtr.Zero)
        {
            throw new OpenSlideException($"openslide_cache_create({capacityBytes}) failed");
        }

        return new OpenSlideCache(new OpenSlideCacheHandle(cache), capacityBytes);
    }

    /// <summary>Releases this reference to the cache; slides using it keep their own.</summary>
    public void Dispose() => Handle.Dispose();
}
