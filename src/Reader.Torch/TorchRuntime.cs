using System.Runtime.InteropServices;

namespace Reader.Torch;

/// <summary>
/// Prepares TorchSharp's native library on systems whose libstdc++ is older than the one it was built against
/// (Debian 12: GCC 12; TorchSharp-cpu 0.107: GCC 13): loads <c>libwsi_glibcxx_compat.so</c> globally so the one
/// missing libstdc++ symbol resolves (the build marks that reference weak in the app's copy of libLibTorchSharp.so).
/// Call it before the first TorchSharp call; <see cref="TorchBatches"/> calls it itself. Elsewhere it does nothing.
/// </summary>
public static class TorchRuntime
{
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;
    private static readonly Lazy<string?> Loaded = new(Load);

    /// <summary>Loads the compatibility library where one is beside the app; returns its path, or null where none is needed or present.</summary>
    public static string? Initialize() => Loaded.Value;

    private static string? Load()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "libwsi_glibcxx_compat.so");
        if (!File.Exists(path))
        {
            return null;
        }

        // RTLD_GLOBAL: the symbol must be visible to libraries loaded later (NativeLibrary.Load keeps it local).
        return dlopen(path, RtldNow | RtldGlobal) == IntPtr.Zero
            ? throw new DllNotFoundException($"{path}: {Marshal.PtrToStringUTF8(dlerror())}")
            : path;
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr dlerror();
}
