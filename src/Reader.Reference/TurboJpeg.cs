using System.Runtime.InteropServices;

namespace Reader.Reference;

/// <summary>
/// libjpeg-turbo's own TurboJPEG API: the independent reference tests compare our decoders
/// against, and the benchmark's "raw libjpeg-turbo" limit (our shim uses the libjpeg API instead).
/// Not on the read path. TurboJPEG cannot be told the colour space, so RGB-coded tiles are
/// checked through its raw-plane output.
/// </summary>
public static unsafe partial class TurboJpeg
{
    private const string Library = ReferenceLibraries.TurboJpeg;
    public const int PixelRgb = 0;
    public const int PixelGray = 6;
    public const int PixelRgba = 7;
    public const int PixelCmyk = 11;

    /// <summary>True when libturbojpeg loaded (see <see cref="UnavailableReason"/> otherwise).</summary>
    public static bool IsAvailable { get; } = ReferenceLibraries.TryLoadTurboJpeg(out _);

    /// <summary>A reusable decompressor handle for timing loops (release with <see cref="DestroyHandle"/>).</summary>
    public static IntPtr CreateHandle() => InitDecompress();

    public static void DestroyHandle(IntPtr handle) => _ = tjDestroy(handle);

    /// <summary>Decodes into <paramref name="output"/> with a caller-held handle; returns false on error.</summary>
    public static bool DecodeInto(IntPtr handle, ReadOnlySpan<byte> jpeg, Span<byte> output, int width, int height, int pixelFormat)
    {
        int bpp = pixelFormat switch { PixelGray => 1, PixelRgb => 3, _ => 4 };
        fixed (byte* p = jpeg)
        fixed (byte* o = output)
        {
            return tjDecompress2(handle, p, (nuint)jpeg.Length, o, width, width * bpp, height, pixelFormat, 0) == 0;
        }
    }

    public static string UnavailableReason =>
        $"libturbojpeg was not found (tried {string.Join(", ", ReferenceLibraries.TurboJpegNames)}; "
        + "set WSI_TURBOJPEG_LIBRARY, or install it: Debian package libturbojpeg0, ./build.sh setup)";

    /// <summary>Joins JPEGTables and an abbreviated tile into one complete stream.</summary>
    public static byte[] Splice(byte[]? tables, ReadOnlySpan<byte> tile)
    {
        if (tables is null || tables.Length < 4)
        {
            return tile.ToArray();
        }

        var whole = new byte[tables.Length - 2 + tile.Length - 2];
        tables.AsSpan(0, tables.Length - 2).CopyTo(whole);
        tile[2..].CopyTo(whole.AsSpan(tables.Length - 2));
        return whole;
    }

    /// <summary>Decodes with default flags (ISLOW, fancy upsampling) to <paramref name="pixelFormat"/>.</summary>
    public static byte[] Decode(byte[] jpeg, int pixelFormat, out int width, out int height)
    {
        IntPtr h = InitDecompress();
        try
        {
            fixed (byte* p = jpeg)
            {
                if (tjDecompressHeader3(h, p, (nuint)jpeg.Length, out width, out height, out _, out _) != 0)
                {
                    throw new InvalidOperationException("TurboJPEG header: " + Error(h));
                }

                int bpp = pixelFormat switch { PixelGray => 1, PixelRgb => 3, _ => 4 };
                var output = new byte[width * height * bpp];
                fixed (byte* o = output)
                {
                    if (tjDecompress2(h, p, (nuint)jpeg.Length, o, width, width * bpp, height, pixelFormat, 0) != 0)
                    {
                        throw new InvalidOperationException("TurboJPEG decode: " + Error(h));
                    }
                }

                return output;
            }
        }
        finally
        {
            _ = tjDestroy(h);
        }
    }

    /// <summary>The raw (not colour-converted) component planes of a 3-component 4:4:4 JPEG, interleaved.</summary>
    public static byte[] DecodeRawInterleaved(byte[] jpeg, out int width, out int height)
    {
        IntPtr h = InitDecompress();
        try
        {
            fixed (byte* p = jpeg)
            {
                if (tjDecompressHeader3(h, p, (nuint)jpeg.Length, out width, out height, out int subsampling, out _) != 0)
                {
                    throw new InvalidOperationException("TurboJPEG header: " + Error(h));
                }

                if (subsampling != 0)
                {
                    throw new InvalidOperationException("raw-plane reference needs 4:4:4");
                }

                int n = width * height;
                var planes = new byte[3 * n];
                fixed (byte* o = planes)
                {
                    byte** dst = stackalloc byte*[3] { o, o + n, o + (2 * n) };
                    int* strides = stackalloc int[3] { width, width, width };
                    if (tjDecompressToYUVPlanes(h, p, (nuint)jpeg.Length, dst, width, strides, height, 0) != 0)
                    {
                        throw new InvalidOperationException("TurboJPEG raw decode: " + Error(h));
                    }
                }

                var interleaved = new byte[3 * n];
                for (int i = 0; i < n; i++)
                {
                    interleaved[3 * i] = planes[i];
                    interleaved[(3 * i) + 1] = planes[n + i];
                    interleaved[(3 * i) + 2] = planes[(2 * n) + i];
                }

                return interleaved;
            }
        }
        finally
        {
            _ = tjDestroy(h);
        }
    }

    // Every handle comes from here, so the resolver is registered before the first P/Invoke binds.
    private static IntPtr InitDecompress()
    {
        ReferenceLibraries.EnsureRegistered();
        return tjInitDecompress();
    }

    private static string Error(IntPtr h) => Marshal.PtrToStringUTF8(tjGetErrorStr2(h)) ?? "?";

    [LibraryImport(Library)]
    private static partial IntPtr tjInitDecompress();

    [LibraryImport(Library)]
    private static partial int tjDestroy(IntPtr handle);

    [LibraryImport(Library)]
    private static partial IntPtr tjGetErrorStr2(IntPtr handle);

    [LibraryImport(Library)]
    private static partial int tjDecompressHeader3(IntPtr handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library)]
    private static partial int tjDecompress2(IntPtr handle, byte* jpeg, nuint size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library)]
    private static partial int tjDecompressToYUVPlanes(IntPtr handle, byte* jpeg, nuint size, byte** planes, int width, int* strides, int height, int flags);
}
