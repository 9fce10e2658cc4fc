using System.Runtime.InteropServices;

namespace Reader.Native;

/// <summary>The wsinative entry points (native/wsi_native.h), one to one.</summary>
internal static unsafe partial class ShimMethods
{
    internal const int AbiVersion = 5;

    internal const int StatusOk = 0;
    internal const int StatusJpeg = 1;
    internal const int StatusArgument = 2;
    internal const int StatusSize = 3;
    internal const int StatusDeflate = 4;
    internal const int StatusShort = 5;
    internal const int StatusUnavailable = 6;
    internal const int StatusJ2k = 7;
    internal const int StatusWebp = 8;
    internal const int StatusUnsupported = 9;

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_abi_version")]
    internal static partial int AbiVersionOf();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_libjpeg_version")]
    internal static partial int LibjpegVersion();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_has_libdeflate")]
    internal static partial int HasLibdeflate();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_create")]
    internal static partial IntPtr JpegCreate();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_destroy")]
    internal static partial void JpegDestroy(IntPtr decoder);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_message")]
    internal static partial IntPtr JpegMessage(IntPtr decoder);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_decode")]
    internal static partial int JpegDecode(
        IntPtr decoder,
        byte* tables, nuint tablesLength,
        byte* data, nuint dataLength,
        int colorSpace, int output, int scaleDenominator,
        byte* destination, nuint destinationLength, nuint stride,
        int maxWidth, int maxHeight,
        out int width, out int height, out int components);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_encode")]
    internal static partial int JpegEncode(
        byte* pixels, int width, int height, nuint stride,
        int components, int colorSpace, int quality,
        int horizontalSampling, int verticalSampling, int restartInterval, int abbreviated,
        out IntPtr output, out nuint outputLength, byte* message, int messageLength);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_jpeg_encode_tables")]
    internal static partial int JpegEncodeTables(
        int components, int colorSpace, int quality,
        out IntPtr output, out nuint outputLength, byte* message, int messageLength);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_free")]
    internal static partial void Free(IntPtr pointer);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_inflater_create")]
    internal static partial IntPtr InflaterCreate();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_inflater_destroy")]
    internal static partial void InflaterDestroy(IntPtr inflater);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_zlib_decompress")]
    internal static partial int ZlibDecompress(
        IntPtr inflater, byte* input, nuint inputLength, byte* output, nuint outputLength, out nuint written);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_has_openjpeg")]
    internal static partial int HasOpenJpeg();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_openjpeg_version")]
    internal static partial IntPtr OpenJpegVersion();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_j2k_decode")]
    internal static partial int J2kDecode(
        byte* data, nuint dataLength, int channels,
        byte* destination, nuint destinationLength, nuint stride,
        int maxWidth, int maxHeight,
        out int width, out int height, out int components,
        byte* message, int messageLength);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_j2k_encode")]
    internal static partial int J2kEncode(
        byte* pixels, int width, int height, nuint stride,
        int subsampleX, int subsampleY, int mct, int rate, int jp2,
        out IntPtr output, out nuint outputLength, byte* message, int messageLength);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_has_libwebp")]
    internal static partial int HasLibwebp();

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_webp_decode")]
    internal static partial int WebpDecode(
        byte* data, nuint dataLength, int channels,
        byte* destination, nuint destinationLength, nuint stride,
        int maxWidth, int maxHeight,
        out int width, out int height, out int hasAlpha,
        byte* message, int messageLength);

    [LibraryImport(NativeLibraries.Shim, EntryPoint = "wsi_webp_encode")]
    internal static partial int WebpEncode(
        byte* pixels, int width, int height, nuint stride, int channels, int quality,
        out IntPtr output, out nuint outputLength, byte* message, int messageLength);
}
