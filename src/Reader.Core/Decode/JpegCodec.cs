using Reader.Core.Decode.Jpeg;
using Reader.Core.Open;
using Reader.Native;
using Reader.Native.Jpeg;

namespace Reader.Core.Decode;

/// <summary>
/// Baseline JPEG tiles (TIFF compression 7): libjpeg-turbo through the shim, or our bit-exact managed
/// decoder. The colour space comes from the TIFF photometric, never from the JPEG's own guess. The
/// acceptance rules of a tile's JPEG image live here alone (<see cref="CheckImage"/>); the GPU gatherer
/// applies the same ones before it sends a tile to the kernels.
/// </summary>
internal sealed class JpegCodec : ITileCodec
{
    public static readonly JpegCodec Instance = new();

    public string Name => "JPEG";

    public string? Refuse(TileEncoding encoding)
    {
        if (encoding.BitsPerSample != 8)
        {
            return $"JPEG with {encoding.BitsPerSample}-bit samples is not supported";
        }

        if (encoding.Planar == 2)
        {
            return "JPEG with separate sample planes is not supported";
        }

        if (encoding.Photometric == TiffPhotometric.Palette)
        {
            return "JPEG-compressed palette images are not supported";
        }

        if (encoding.Photometric == TiffPhotometric.YCbCr && encoding.SamplesPerPixel != 3)
        {
            return $"YCbCr JPEG with {encoding.SamplesPerPixel} samples per pixel is not supported";
        }

        return null;
    }

    /// <summary>
    /// The kernels decode JPEGs that become RGB directly (YCbCr, RGB-coded, grey); raw components, inverted grey,
    /// restart intervals of a shared stream and reduced-size decodes (NDPI) stay on the CPU.
    /// </summary>
    public bool HasDeviceKernel(TileEncoding encoding) => encoding.JpegDecodesToPixels && encoding.Planar == 1 && encoding.JpegHeader is null && encoding.JpegScale == 1;

    /// <summary>Components the JPEG must have for <paramref name="encoding"/>.</summary>
    internal static int ExpectedComponents(TileEncoding encoding) => encoding.JpegColor switch
    {
        JpegColorSpace.Gray => 1,
        JpegColorSpace.YCbCr or JpegColorSpace.Rgb => 3,
        _ => encoding.SamplesPerPixel,
    };

    /// <summary>The header parser's colour mode for <paramref name="encoding"/>.</summary>
    internal static int ColorMode(TileEncoding encoding) => encoding.JpegColor switch
    {
        JpegColorSpace.Gray => JpegLayout.ModeGray,
        JpegColorSpace.Rgb => JpegLayout.ModeRgb,
        JpegColorSpace.YCbCr => JpegLayout.ModeYCbCr,
        _ => JpegLayout.ModeRaw,
    };

    /// <summary>
    /// Whether a tile's JPEG image (its frame size and component count) fits the tile: no larger than the stored
    /// tile, covering its visible part, with the components the TIFF tags promise. Null when it does, else why not.
    /// </summary>
    internal static string? CheckImage(TileEncoding encoding, int width, int height, int components, int visibleWidth, int visibleHeight)
    {
        int scale = encoding.JpegScale;
        if (scale != 1)
        {
            int decodedWidth = (width + scale - 1) / scale;
            int decodedHeight = (height + scale - 1) / scale;
            if (decodedWidth > encoding.TileWidth || decodedHeight > encoding.TileHeight)
            {
                return $"JPEG image is {width}x{height} ({decodedWidth}x{decodedHeight} at 1/{scale}), larger than the {encoding.TileWidth}x{encoding.TileHeight} tile";
            }

            width = decodedWidth;
            height = decodedHeight;
        }
        else if (width > encoding.TileWidth || height > encoding.TileHeight)
        {
            return $"JPEG image is {width}x{height}, larger than the {encoding.TileWidth}x{encoding.TileHeight} tile";
        }

        if (width < visibleWidth || height < visibleHeight)
        {
            return $"JPEG image is {width}x{height}, smaller than the {visibleWidth}x{visibleHeight} the tile shows";
        }

        int expected = ExpectedComponents(encoding);
        return components == expected ? null : $"JPEG has {components} components, {expected} expected from the TIFF tags";
    }

    public bool TryDecodePixels(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> destination, int stride, PixelFormat format)
    {
        TileEncoding e = context.Encoding;
        if (!e.JpegDecodesToPixels)
        {
            return false;
        }

        Run(in context, compressed, format == PixelFormat.Rgba32 ? JpegOutput.Rgba : JpegOutput.Rgb, destination, stride);
        return true;
    }

    /// <summary>Raw components (RGBA, grey + alpha) and min-is-white grey: samples for the sample converter.</summary>
    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        TileEncoding e = context.Encoding;
        int rowBytes = e.TileWidth * e.SamplesPerPixel;
        int bytes = rowBytes * e.TileHeight;
        Run(in context, compressed, JpegOutput.Components, samples[..bytes], rowBytes);
        return bytes;
    }

    [ThreadStatic]
    private static byte[]? streamBuffer;

    /// <summary>
    /// A restart interval of a shared stream as the complete JPEG libjpeg reads: the header, the interval's bytes, and
    /// EOI in place of the restart marker's last byte (OpenSlide's recipe for NDPI). Built in a per-thread buffer.
    /// </summary>
    private static byte[]? WithHeader(byte[] header, ReadOnlySpan<byte> interval, out int length)
    {
        length = 0;
        if (interval.Length < 2 || interval[^2] != 0xFF)
        {
            return null;
        }

        length = header.Length + interval.Length;
        byte[] buffer = streamBuffer is { } existing && existing.Length >= length ? existing : (streamBuffer = new byte[Math.Max(length, 64 << 10)]);
        header.CopyTo(buffer, 0);
        interval.CopyTo(buffer.AsSpan(header.Length));
        buffer[length - 1] = 0xD9;
        return buffer;
    }

    private static void Run(in TileDecodeContext context, ReadOnlySpan<byte> compressed, JpegOutput output, Span<byte> destination, int stride)
    {
        TileEncoding e = context.Encoding;
        if (e.JpegHeader is { } jpegHeader)
        {
            byte[] stream = WithHeader(jpegHeader, compressed, out int length) ?? throw context.Corrupt("JPEG restart interval does not end at a marker");
            compressed = stream.AsSpan(0, length);
        }

        ReadOnlySpan<byte> tables = e.JpegTables;
        DecoderSet decoders = DecoderSet.Current;
        ManagedJpegDecoder managed = decoders.ManagedJpeg;
        JpegColorSpace color = e.JpegColor;
        string? problem;
        if (context.UseNative)
        {
            // Our header parser vets every tile first: it rejects a tile that depends on tables another tile
            // defined, which libjpeg (keeping tables across images) would accept, and applies the tile rules
            // before libjpeg writes anything.
            problem = managed.Header.Parse(tables, compressed, JpegLayout.ModeRaw, out bool unsupported);
            if (problem is not null && !unsupported)
            {
                throw context.Corrupt("JPEG " + problem);
            }

            bool vetted = problem is null;
            if (vetted && CheckImage(e, managed.Header.Width, managed.Header.Height, managed.Header.ComponentCount, context.VisibleWidth, context.VisibleHeight) is { } refused)
            {
                throw context.Corrupt(refused);
            }

            NativeJpegDecoder native = decoders.NativeJpeg;
            NativeStatus status = native.Decode(tables, compressed, color, output, e.JpegScale, destination, stride, e.TileWidth, e.TileHeight, out int width, out int height, out int outputComponents);
            if (status != NativeStatus.Ok)
            {
                string reason = "JPEG " + native.LastMessage;
                throw context.Corrupt(status == NativeStatus.SizeMismatch ? reason + $" (tile is {e.TileWidth}x{e.TileHeight})" : reason);
            }

            // A JPEG only libjpeg reads (progressive, arithmetic): the size rules still apply, and libjpeg's output
            // components must be what the tags promise (it passes raw components through unchecked).
            if (!vetted)
            {
                int expectedOutput = output switch
                {
                    JpegOutput.Rgb => 3,
                    JpegOutput.Rgba => 4,
                    _ => ExpectedComponents(e),
                };
                if (CheckImage(e, width * e.JpegScale, height * e.JpegScale, ExpectedComponents(e), context.VisibleWidth, context.VisibleHeight) is { } late)
                {
                    throw context.Corrupt(late);
                }

                if (outputComponents != expectedOutput)
                {
                    throw context.Corrupt($"JPEG has {outputComponents} components, {expectedOutput} expected from the TIFF tags");
                }
            }

            return;
        }

        JpegDecodeStatus managedStatus = managed.Decode(tables, compressed, color, output, e.JpegScale, destination, stride, e.TileWidth, e.TileHeight, out _, out _, out _);
        if (managedStatus != JpegDecodeStatus.Ok)
        {
            string reason = "JPEG " + managed.LastMessage;
            throw managedStatus == JpegDecodeStatus.Unsupported ? context.Unsupported(reason) : context.Corrupt(reason);
        }

        problem = CheckImage(e, managed.Header.Width, managed.Header.Height, managed.Header.ComponentCount, context.VisibleWidth, context.VisibleHeight);
        if (problem is not null)
        {
            throw context.Corrupt(problem);
        }
    }
}
