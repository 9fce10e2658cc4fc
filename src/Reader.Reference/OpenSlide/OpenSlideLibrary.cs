using System.Runtime.InteropServices;

namespace Reader.Reference.OpenSlide;

/// <summary>
/// Loads libopenslide once and probes its exports, so that no call ever reaches a missing entry
/// point: the 3.4 API must be complete for <see cref="IsAvailable"/>, and the 4.0 cache and ICC
/// functions are reported through <see cref="SupportsCache"/> and <see cref="SupportsIcc"/>.
/// </summary>
internal static class OpenSlideLibrary
{
    private static readonly Lazy<State> Probed = new(Probe);

    internal static bool IsAvailable => Probed.Value.Available;

    internal static string UnavailableReason => Probed.Value.Reason;

    internal static string? Version => Probed.Value.Version;

    internal static bool SupportsCache => Probed.Value.Cache;

    internal static bool SupportsIcc => Probed.Value.Icc;

    /// <summary>Throws <see cref="DllNotFoundException"/> with the reason when the library cannot be used.</summary>
    internal static void ThrowIfUnavailable()
    {
        if (!IsAvailable)
        {
            throw new DllNotFoundException("OpenSlide is unavailable: " + UnavailableReason);
        }
    }

    /// <summary>Throws <see cref="NotSupportedException"/> unless the loaded OpenSlide has the 4.0 cache API.</summary>
    internal static void ThrowIfCacheUnsupported()
    {
        if (!SupportsCache)
        {
            throw new NotSupportedException(Requires40("the tile cache API (openslide_cache_create, openslide_set_cache, openslide_cache_release)"));
        }
    }

    /// <summary>Throws <see cref="NotSupportedException"/> unless the loaded OpenSlide has the 4.0 ICC profile API.</summary>
    internal static void ThrowIfIccUnsupported()
    {
        if (!SupportsIcc)
        {
            throw new NotSupportedException(Requires40("ICC profiles (openslide_get_icc_profile_size, openslide_read_icc_profile and their associated-image forms)"));
        }
    }

    private static string Requires40(string feature)
    {
        return IsAvailable
            ? $"{feature} need OpenSlide 4.0 or later; the loaded libopenslide is {Version}"
            : $"{feature} need OpenSlide 4.0 or later, and OpenSlide is unavailable: {UnavailableReason}";
    }

    private static State Probe()
    {
        if (!ReferenceLibraries.TryLoadOpenSlide(out IntPtr library))
        {
            return State.Missing(
                $"libopenslide was not found (tried {string.Join(", ", ReferenceLibraries.OpenSlideNames)}; "
                + "set WSI_OPENSLIDE_LIBRARY, or install it: Debian package libopenslide0, ./build.sh setup)");
        }

        string[] missing = [.. OpenSlideMethods.Required.Where(name => !NativeLibrary.TryGetExport(library, name, out _))];
        if (missing.Length > 0)
        {
            return State.Missing($"the loaded libopenslide lacks {string.Join(", ", missing)} (OpenSlide 3.4.0 or later is required)");
        }

        string version;
        try
        {
            version = OpenSlideMethods.CopyString(OpenSlideMethods.GetVersion()) ?? "unknown";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return State.Missing("libopenslide could not be bound: " + e.Message);
        }

        bool cache = OpenSlideMethods.CacheExports.All(name => NativeLibrary.TryGetExport(library, name, out _));
        bool icc = OpenSlideMethods.IccExports.All(name => NativeLibrary.TryGetExport(library, name, out _));
        return new State(true, string.Empty, version, cache, icc);
    }

    private sealed record State(bool Available, string Reason, string? Version, bool Cache, bool Icc)
    {
        internal static State Missing(string reason) => new(false, reason, null, false, false);
    }
}
