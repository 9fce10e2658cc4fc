using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>Whether the wsinative shim loaded, and if not, why.</summary>
public static class NativeShim
{
    private static readonly Lazy<(bool Available, string Reason, int JpegVersion, bool Libdeflate, string OpenJpeg, int Libwebp)> State = new(Probe);

    /// <summary>True when the shim loaded and its ABI matches this assembly.</summary>
    public static bool IsAvailable => State.Value.Available;

    /// <summary>Why the shim is unavailable (empty when it is available).</summary>
    public static string UnavailableReason => State.Value.Reason;

    /// <summary>libjpeg-turbo's version number (e.g. 2001005 for 2.1.5), 0 when unavailable.</summary>
    public static int LibjpegTurboVersion => State.Value.JpegVersion;

    /// <summary>True when the shim was built with libdeflate.</summary>
    public static bool HasLibdeflate => State.Value.Libdeflate;

    /// <summary>True when the shim was built with OpenJPEG (JPEG 2000 tiles).</summary>
    public static bool HasOpenJpeg => State.Value.OpenJpeg.Length > 0;

    /// <summary>OpenJPEG's version ("2.5.0"), empty when the shim has no OpenJPEG.</summary>
    public static string OpenJpegVersion => State.Value.OpenJpeg;

    /// <summary>True when the shim was built with libwebp (WebP tiles).</summary>
    public static bool HasLibwebp => State.Value.Libwebp != 0;

    /// <summary>libwebp's decoder version as text ("1.2.4"), empty when the shim has no libwebp.</summary>
    public static string LibwebpVersion
    {
        get
        {
            int v = State.Value.Libwebp;
            return v == 0 ? string.Empty : $"{v >> 16}.{(v >> 8) & 0xff}.{v & 0xff}";
        }
    }

    /// <summary>libjpeg-turbo's version as text, e.g. "2.1.5".</summary>
    public static string LibjpegTurboVersionText
    {
        get
        {
            int v = LibjpegTurboVersion;
            return v == 0 ? "unavailable" : $"{v / 1000000}.{v / 1000 % 1000}.{v % 1000}";
        }
    }

    private static (bool, string, int, bool, string, int) Probe()
    {
        NativeLibraries.EnsureRegistered();
        try
        {
            int abi = ShimMethods.AbiVersionOf();
            if (abi != ShimMethods.AbiVersion)
            {
                return (false, $"wsinative ABI {abi} does not match the expected {ShimMethods.AbiVersion}; rebuild native/ (./build.sh setup)", 0, false, string.Empty, 0);
            }

            string openJpeg = ShimMethods.HasOpenJpeg() != 0 ? Marshal.PtrToStringUTF8(ShimMethods.OpenJpegVersion()) ?? "?" : string.Empty;
            return (true, string.Empty, ShimMethods.LibjpegVersion(), ShimMethods.HasLibdeflate() != 0, openJpeg, ShimMethods.HasLibwebp());
        }
        catch (DllNotFoundException e)
        {
            // The loader's message lists every path it tried, one per line: the first line says enough.
            return (false, "wsinative was not found (build it with ./build.sh setup, or reference the WsiReader.Native package): " + e.Message.Split('\n')[0].Trim(), 0, false, string.Empty, 0);
        }
        catch (EntryPointNotFoundException e)
        {
            return (false, "wsinative is incomplete: " + e.Message, 0, false, string.Empty, 0);
        }
        catch (BadImageFormatException e)
        {
            return (false, "wsinative cannot be loaded on this platform: " + e.Message.Split('\n')[0].Trim(), 0, false, string.Empty, 0);
        }
    }

    internal static string MessageOf(IntPtr decoder)
    {
        return Marshal.PtrToStringUTF8(ShimMethods.JpegMessage(decoder)) ?? string.Empty;
    }
}
