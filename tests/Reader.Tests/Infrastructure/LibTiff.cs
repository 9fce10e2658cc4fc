using System.Runtime.InteropServices;

namespace Reader.Tests.Infrastructure;

/// <summary>
/// libtiff (installed with OpenSlide) as an independent decoder of lossless tiles: it returns
/// the decompressed samples (predictor undone) of one tile or strip, or raw JPEG components
/// for non-YCbCr JPEG. Only non-variadic entry points are used.
/// </summary>
internal static unsafe partial class LibTiff
{
    private const string Library = "libtiff.so.6";

    public static bool IsAvailable { get; } = Load();

    private static bool Load()
    {
        if (!NativeLibrary.TryLoad(Library, out _))
        {
            return false;
        }

        // libtiff prints warnings (unknown GeoTIFF tags...) to stderr unless told otherwise.
        TIFFSetWarningHandler(IntPtr.Zero);
        TIFFSetErrorHandler(IntPtr.Zero);
        return true;
    }

    public static string UnavailableReason => "libtiff.so.6 is not installed (Debian package libtiff6, pulled in by libopenslide0)";

    /// <summary>Decoded samples of chunk <paramref name="index"/> of directory <paramref name="directory"/>.</summary>
    public static byte[] ReadChunk(string path, int directory, long index, bool tiled, int bytes)
    {
        IntPtr tif = OpenAt(path, directory);
        try
        {
            var buffer = new byte[bytes];
            fixed (byte* b = buffer)
            {
                long n = tiled ? TIFFReadEncodedTile(tif, (uint)index, b, bytes) : TIFFReadEncodedStrip(tif, (uint)index, b, bytes);
                if (n < 0)
                {
                    throw new InvalidOperationException($"libtiff failed on chunk {index}");
                }
            }

            return buffer;
        }
        finally
        {
            TIFFClose(tif);
        }
    }

    /// <summary>Opens the file on directory <paramref name="directory"/>; the caller closes it.</summary>
    private static IntPtr OpenAt(string path, int directory)
    {
        IntPtr tif = TIFFOpen(path, "r");
        if (tif == IntPtr.Zero)
        {
            throw new InvalidOperationException("libtiff cannot open " + path);
        }

        if (TIFFSetDirectory(tif, (ushort)directory) == 0)
        {
            TIFFClose(tif);
            throw new InvalidOperationException($"libtiff cannot select directory {directory}");
        }

        return tif;
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr TIFFOpen(string path, string mode);

    [LibraryImport(Library)]
    private static partial void TIFFClose(IntPtr tif);

    [LibraryImport(Library)]
    private static partial int TIFFSetDirectory(IntPtr tif, ushort directory);

    [LibraryImport(Library)]
    private static partial long TIFFReadEncodedTile(IntPtr tif, uint tile, byte* buffer, long size);

    [LibraryImport(Library)]
    private static partial long TIFFReadEncodedStrip(IntPtr tif, uint strip, byte* buffer, long size);

    [LibraryImport(Library)]
    private static partial IntPtr TIFFSetWarningHandler(IntPtr handler);

    [LibraryImport(Library)]
    private static partial IntPtr TIFFSetErrorHandler(IntPtr handler);

    /// <summary>The raw (still compressed) bytes of a tile, as stored.</summary>
    public static byte[] ReadRawTile(string path, int directory, long index)
    {
        IntPtr tif = OpenAt(path, directory);
        try
        {
            var buffer = new byte[16 << 20];
            fixed (byte* b = buffer)
            {
                long n = TIFFReadRawTile(tif, (uint)index, b, -1); // -1: the whole tile
                if (n < 0)
                {
                    throw new InvalidOperationException($"libtiff failed on raw tile {index}");
                }

                return buffer.AsSpan(0, (int)n).ToArray();
            }
        }
        finally
        {
            TIFFClose(tif);
        }
    }

    [LibraryImport(Library)]
    private static partial long TIFFReadRawTile(IntPtr tif, uint tile, byte* buffer, long size);
}
