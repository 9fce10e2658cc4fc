using System.Runtime.InteropServices;

namespace Reader.Reference.OpenSlide;

/// <summary>Owns an <c>openslide_cache_t*</c> (OpenSlide 4.0); releasing it calls <c>openslide_cache_release</c>.</summary>
internal sealed class OpenSlideCacheHandle : SafeHandle
{
    internal OpenSlideCacheHandle(IntPtr cache)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(cache);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        // Only ever created after the cache exports were found, so this cannot hit a missing export.
        OpenSlideMethods.CacheRelease(handle);
        return true;
    }
}
