using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>Whether the wsinative shim loaded, and if not, why.</summary>
public static class NativeShim
{
    private static readonly Lazy<(bool Available, string Reason, int JpegVersion, bool Libdeflate)> State = new(Probe);

    /// <summary>True when the shim loaded and its ABI matches this assembly.</summary>
    public static bool IsAvailable => State.Value.Available;

    /// <summary>Why the shim is unavailable (empty when it is available).</summary>
    public static string UnavailableReason => State.Value.Reason;

    /// <summary>libjpeg-turbo's version number (e.g. 2001005 for 2.1.5), 0 when unavailable.</summary>
    public static int LibjpegTurboVersion => State.Value.JpegVersion;

    /// <summary>True when the shim was built with libdeflate.</summary>
    public static bool HasLibdeflate => State.Value.Libdeflate;

    /// <summary>libjpeg-turbo's version as text, e.g. "2.1.5".</summary>
    public static string LibjpegTurboVersionText
    {
        get
        {
            int v = LibjpegTurboVersion;
            return v == 0 ? "unavailable" : $"{v / 1000000}.{v / 1000 % 1000}.{v % 1000}";
        }
    }

    private static (bool, string, int, bool) Probe()
    {
        NativeLibraries.EnsureRegistered();
        try
        {
            int abi = ShimMethods.AbiVersionOf();
            if (abi != ShimMethods.AbiVersion)
            {
                return (false, $"wsinative ABI {abi} does not match the expected {ShimMethods.AbiVersion}; rebuild native/ (./build.sh setup)", 0, false);
            }

            return (true, string.Empty, ShimMethods.LibjpegVersion(), ShimMethods.HasLibdeflate() != 0);
        }
        catch (DllNotFoundException e)
        {
            return (false, "wsinative was not found (build it with ./build.sh setup): " + e.Message, 0, false);
        }
        catch (EntryPointNotFoundException e)
        {
            return (false, "wsinative is incomplete: " + e.Message, 0, false);
        }
        catch (BadImageFormatException e)
        {
            return (false, "wsinative cannot be loaded on this platform: " + e.Message, 0, false);
        }
    }

    internal static string MessageOf(IntPtr decoder)
    {
        return Marshal.PtrToStringUTF8(ShimMethods.JpegMessage(decoder)) ?? string.Empty;
    }
}
