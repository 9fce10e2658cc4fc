using System.Runtime.InteropServices;
using System.Text;

namespace Reader.Native.Jpeg;

/// <summary>libjpeg-turbo's encoder, for the synthetic slide writer and tests.</summary>
public static unsafe class NativeJpegEncoder
{
    /// <summary>
    /// Encodes 8-bit pixels (1 or 3 components) as baseline JPEG. <paramref name="colorSpace"/>
    /// YCbCr subsamples luma <paramref name="horizontalSampling"/> x <paramref name="verticalSampling"/>;
    /// Rgb stores RGB unconverted with component ids 0,1,2 (Aperio style). With
    /// <paramref name="abbreviated"/> the tables are omitted (see <see cref="EncodeTables"/>).
    /// </summary>
    public static byte[] Encode(
        ReadOnlySpan<byte> pixels,
        int width,
        int height,
        int stride,
        int components,
        JpegColorSpace colorSpace,
        int quality,
        int horizontalSampling = 2,
        int verticalSampling = 2,
        int restartInterval = 0,
        bool abbreviated = false)
    {
        EnsureAvailable();
        if ((long)stride * (height - 1) + (long)width * components > pixels.Length)
        {
            throw new ArgumentException("pixel buffer too small", nameof(pixels));
        }

        byte* message = stackalloc byte[256];
        message[0] = 0;
        fixed (byte* p = pixels)
        {
            int status = ShimMethods.JpegEncode(
                p, width, height, (nuint)stride, components, (int)colorSpace, quality,
                horizontalSampling, verticalSampling, restartInterval, abbreviated ? 1 : 0,
                out IntPtr output, out nuint length, message, 256);
            return TakeOutput(status, output, length, message);
        }
    }

    /// <summary>A tables-only stream (TIFF JPEGTables) matching <see cref="Encode"/> with the same settings.</summary>
    public static byte[] EncodeTables(int components, JpegColorSpace colorSpace, int quality)
    {
        EnsureAvailable();
        byte* message = stackalloc byte[256];
        message[0] = 0;
        int status = ShimMethods.JpegEncodeTables(components, (int)colorSpace, quality, out IntPtr output, out nuint length, message, 256);
        return TakeOutput(status, output, length, message);
    }

    private static void EnsureAvailable()
    {
        if (!NativeShim.IsAvailable)
        {
            throw new DllNotFoundException(NativeShim.UnavailableReason);
        }
    }

    private static byte[] TakeOutput(int status, IntPtr output, nuint length, byte* message)
    {
        if (status != ShimMethods.StatusOk)
        {
            string text = Marshal.PtrToStringUTF8((IntPtr)message) ?? string.Empty;
            throw new InvalidOperationException($"libjpeg-turbo encode failed (status {status}): {text}");
        }

        try
        {
            return new ReadOnlySpan<byte>((void*)output, checked((int)length)).ToArray();
        }
        finally
        {
            ShimMethods.Free(output);
        }
    }
}
