using System.Reflection;
using System.Runtime.InteropServices;

namespace Reader.Gpu.Accelerators;

/// <summary>
/// ILGPU binds the CUDA driver as "cuda" and OpenCL as "OpenCL", so .NET probes libcuda.so and libOpenCL.so
/// but never the versioned names that driver-only installs and GPU containers often have alone
/// (libcuda.so.1, libOpenCL.so.1); ILGPU then silently sees no device. Registered once, before the
/// first ILGPU context: the versioned name first, then default probing.
/// </summary>
internal static class IlgpuNativeResolver
{
    private static readonly Lock Gate = new();
    private static string? status;

    /// <summary>What registration did (for the accelerator report).</summary>
    public static string Status
    {
        get
        {
            Register();
            return status!;
        }
    }

    public static void Register()
    {
        lock (Gate)
        {
            if (status is not null)
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(ILGPU.Context).Assembly, Resolve);
                status = "native resolver registered (cuda -> libcuda.so.1, OpenCL -> libOpenCL.so.1, then default probing)";
            }
            catch (InvalidOperationException)
            {
                // ILGPU registers its own resolver on WSL (/usr/lib/wsl/lib); only one is allowed per assembly.
                status = "ILGPU's own native resolver is in place (WSL); default probing";
            }
        }
    }

    /// <summary>The versioned file name tried first for an ILGPU import name, or null.</summary>
    internal static string? VersionedName(string libraryName) => libraryName switch
    {
        "cuda" when OperatingSystem.IsLinux() => "libcuda.so.1",
        "OpenCL" when OperatingSystem.IsLinux() => "libOpenCL.so.1",
        _ => null,
    };

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string? versioned = VersionedName(libraryName);
        if (versioned is not null && NativeLibrary.TryLoad(versioned, assembly, searchPath, out IntPtr handle))
        {
            return handle;
        }

        return IntPtr.Zero; // default probing (libcuda.so, ...) follows
    }
}
