using System.Reflection;
using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>
/// Finds the native libraries this assembly binds: the wsinative shim (next to the
/// assembly, or where WSI_NATIVE_LIBRARY points) and libopenslide under its 4.x and
/// 3.x names. .NET alone would only probe the unversioned names.
/// </summary>
public static class NativeLibraries
{
    internal const string Shim = "wsinative";
    internal const string OpenSlide = "openslide";

    private static readonly Lazy<IntPtr> OpenSlideLibrary = new(
        () => LoadFirst(OpenSlideCandidates(), typeof(NativeLibraries).Assembly, null));

    private static int registered;

    /// <summary>Registers the resolver once; every entry point of this assembly calls it first.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return name switch
        {
            Shim => LoadFirst(ShimCandidates(), assembly, searchPath),
            OpenSlide => OpenSlideLibrary.Value,
            _ => IntPtr.Zero,
        };
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

    /// <summary>The names tried for libopenslide on this platform, in order (for messages).</summary>
    internal static IReadOnlyList<string> OpenSlideNames => [.. OpenSlideCandidates()];

    private static IEnumerable<string> ShimCandidates()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("WSI_NATIVE_LIBRARY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
        }

        string file = OperatingSystem.IsWindows() ? "wsinative.dll"
            : OperatingSystem.IsMacOS() ? "libwsinative.dylib"
            : "libwsinative.so";
        yield return Path.Combine(AppContext.BaseDirectory, file);
        yield return file;
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

    private static IntPtr LoadFirst(IEnumerable<string> candidates, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (string candidate in candidates)
        {
            if (Path.IsPathRooted(candidate))
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out IntPtr rooted))
                {
                    return rooted;
                }
            }
            else if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
