using System.Runtime.InteropServices;

namespace Reader.Native.Jpeg;

/// <summary>
/// One libjpeg-turbo decompressor. Not thread-safe: keep one per thread and reuse it,
/// since creating one costs far more than decoding a small tile's header.
/// </summary>
public sealed unsafe class NativeJpegDecoder : IDisposable
{
    private static long liveHandles;
    private readonly JpegHandle handle;

    /// <summary>Creates a decompressor; throws <see cref="DllNotFoundException"/> when the shim is unavailable.</summary>
    public NativeJpegDecoder()
    {
        if (!NativeShim.IsAvailable)
        {
            throw new DllNotFoundException(NativeShim.UnavailableReason);
        }

        IntPtr raw = ShimMethods.JpegCreate();
        if (raw == IntPtr.Zero)
        {
            throw new InvalidOperationException("libjpeg-turbo could not create a decompressor (out of memory)");
        }

        handle = new JpegHandle(raw);
        Interlocked.Increment(ref liveHandles);
    }

    /// <summary>Native decompressors alive in this process (for leak checks).</summary>
    public static long LiveHandles => Interlocked.Read(ref liveHandles);

    /// <summary>The message of the last failed decode.</summary>
    public string LastMessage { get; private set; } = string.Empty;

    /// <summary>
    /// Decodes <paramref name="data"/> (after loading <paramref name="tables"/> when not empty) into
    /// <paramref name="destination"/>, rows <paramref name="stride"/> bytes apart.
    /// </summary>
    public NativeStatus Decode(
        ReadOnlySpan<byte> tables,
        ReadOnlySpan<byte> data,
        JpegColorSpace colorSpace,
        JpegOutput output,
        Span<byte> destination,
        int stride,
        int maxWidth,
        int maxHeight,
        out int width,
        out int height,
        out int components)
        => Decode(tables, data, colorSpace, output, 1, destination, stride, maxWidth, maxHeight, out width, out height, out components);

    /// <summary>
    /// As <see cref="Decode(ReadOnlySpan{byte}, ReadOnlySpan{byte}, JpegColorSpace, JpegOutput, Span{byte}, int, int, int, out int, out int, out int)"/>,
    /// decoding at 1/<paramref name="scaleDenominator"/> (1, 2, 4 or 8) with libjpeg's reduced-size IDCTs; the
    /// size limits apply to the decoded size.
    /// </summary>
    public NativeStatus Decode(
        ReadOnlySpan<byte> tables,
        ReadOnlySpan<byte> data,
        JpegColorSpace colorSpace,
        JpegOutput output,
        int scaleDenominator,
        Span<byte> destination,
        int stride,
        int maxWidth,
        int maxHeight,
        out int width,
        out int height,
        out int components)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        int status;
        fixed (byte* t = tables)
        fixed (byte* d = data)
        fixed (byte* o = destination)
        {
            status = ShimMethods.JpegDecode(
                handle.DangerousGetHandle(),
                tables.IsEmpty ? null : t, (nuint)tables.Length,
                d, (nuint)data.Length,
                (int)colorSpace, (int)output, scaleDenominator,
                o, (nuint)destination.Length, (nuint)stride,
                maxWidth, maxHeight,
                out width, out height, out components);
        }

        if (status == ShimMethods.StatusOk)
        {
            return NativeStatus.Ok;
        }

        LastMessage = NativeShim.MessageOf(handle.DangerousGetHandle());
        return status switch
        {
            ShimMethods.StatusJpeg => NativeStatus.Corrupt,
            ShimMethods.StatusSize => NativeStatus.SizeMismatch,
            _ => NativeStatus.InvalidArgument,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        handle.Dispose();
    }

    private sealed class JpegHandle : SafeHandle
    {
        public JpegHandle(IntPtr raw)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            SetHandle(raw);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            ShimMethods.JpegDestroy(handle);
            Interlocked.Decrement(ref liveHandles);
            return true;
        }
    }
}
