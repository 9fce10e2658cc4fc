using System.Reflection;
using System.Runtime.InteropServices;
using Reader.Native;

namespace Reader.Reference;

/// <summary>
/// Finds the native libraries this assembly binds: libopenslide and libturbojpeg, under their
/// versioned names (or where WSI_OPENSLIDE_LIBRARY / WSI_TURBOJPEG_LIBRARY point). .NET alone
/// would only probe the unversioned names, which Debian ships only in the -dev packages.
/// </summary>
internal static class ReferenceLibraries
{
    internal const string OpenSlide = "openslide";
    internal const string TurboJpeg = "turbojpeg";

    private static readonly Lazy<IntPtr> OpenSlideLibrary = new(
        () => LoadFirst(OpenSlideCandidates(), typeof(ReferenceLibraries).Assembly, null));

    private static readonly Lazy<IntPtr> TurboJpegLibrary = new(
        () => LoadFirst(TurboJpegCandidates(), typeof(ReferenceLibraries).Assembly, null));

    private static int registered;

    /// <summary>Registers the resolver once; every entry point of this assembly reaches it before its first P/Invoke.</summary>
    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(ReferenceLibraries).Assembly, Resolve);
        }
    }

    /// <summary>
    /// Loads libopenslide once (the handle every OpenSlide P/Invoke binds to), so that its
    /// exports can be probed with <see cref="NativeLibrary.TryGetExport"/> before any call.
    /// </summary>
    internal static bool TryLoadOpenSlide(out IntPtr handle)
    {
        EnsureRegistered();
        handle = OpenSlideLibrary.Value;
        return handle != IntPtr.Zero;
    }

    /// <summary>Loads libturbojpeg once (the handle every TurboJPEG P/Invoke binds to).</summary>
    internal static bool TryLoadTurboJpeg(out IntPtr handle)
    {
        EnsureRegistered();
        handle = TurboJpegLibrary.Value;
        return handle != IntPtr.Zero;
    }

    /// <summary>The names tried for libopenslide on this platform, in order (for messages).</summary>
    internal static IReadOnlyList<string> OpenSlideNames => [.. OpenSlideCandidates()];

    /// <summary>The names tried for libturbojpeg on this platform, in order (for messages).</summary>
    internal static IReadOnlyList<string> TurboJpegNames => [.. TurboJpegCandidates()];

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return name switch
        {
            OpenSlide => OpenSlideLibrary.Value,
            TurboJpeg => TurboJpegLibrary.Value,
            _ => IntPtr.Zero,
        };
    }

    private static IEnumerable<string> OpenSlideCandidates()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("WSI_OPENSLIDE_LIBRARY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
        }

        if (OperatingSystem.IsWindows())
        {
            yield return "libopenslide-1.dll";
            yield return "libopenslide-0.dll";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "libopenslide.1.dylib";
            yield return "libopenslide.0.dylib";
        }
        else
        {
            yield return "libopenslide.so.1";
            yield return "libopenslide.so.0";
        }
    }

    private static IEnumerable<string> TurboJpegCandidates()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("WSI_TURBOJPEG_LIBRARY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
        }

        if (OperatingSystem.IsWindows())
        {
            yield return "turbojpeg.dll";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "libturbojpeg.0.dylib";
            yield return "libturbojpeg.dylib";
        }
        else
        {
            yield return "libturbojpeg.so.0";
        }
    }

    private static IntPtr LoadFirst(IEnumerable<string> candidates, Assembly assembly, DllImportSearchPath? searchPath) =>
        NativeLibraries.LoadFirst(candidates, assembly, searchPath);
}
