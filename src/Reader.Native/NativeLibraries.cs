using System.Reflection;
using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>
/// Finds the native library this assembly binds: the wsinative shim, next to the
/// assembly or where WSI_NATIVE_LIBRARY points. (The reference libraries, libopenslide and
/// libturbojpeg, are resolved by Reader.Reference.)
/// </summary>
public static class NativeLibraries
{
    internal const string Shim = "wsinative";

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
            _ => IntPtr.Zero,
        };
    }

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

    /// <summary>Loads the first candidate that loads: rooted paths as files, bare names through the runtime's probing.</summary>
    internal static IntPtr LoadFirst(IEnumerable<string> candidates, Assembly assembly, DllImportSearchPath? searchPath)
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
