using System.Buffers;
using Reader.Core.Decode.Jpeg;
using Reader.Core.Fetch;
using Reader.Core.Open;
using Reader.Core.Plan;
using Reader.Native;
using Reader.Native.Jpeg;

namespace Reader.Core.Decode;

/// <summary>
/// Decodes tiles of one image: fetch the chunk(s), decompress with the chosen backend,
/// undo the predictor, convert samples to pixels. JPEG tiles decode straight to RGB/RGBA.
/// </summary>
internal sealed class TileDecoder
{
    private readonly TiffImage image;
    private readonly bool useNative;
    private readonly string name;

    public TileDecoder(TiffImage image, TileFormat format, bool useNative, string name)
    {
        this.image = image;
        Format = format;
        this.useNative = useNative;
        this.name = name;
    }

    public TileFormat Format { get; }

    public TileGrid Grid => image.Grid;

    public string Path => image.Path;


    /// <summary>How messages name this image: "level 0 (IFD 0)".</summary>
    public string Name => name;

    /// <summary>
    /// The compressed bytes of tile (<paramref name="tx"/>, <paramref name="ty"/>) (chunky images) in the first
    /// <paramref name="length"/> bytes of an array rented from <see cref="ArrayPool{T}.Shared"/>, or null when the
    /// tile is missing from the file. The GPU path decodes these itself.
    /// </summary>
    public byte[]? ReadChunk(long tx, long ty, out int length) =>
        ChunkFetcher.Read(image, image.Grid.IndexOf(tx, ty), new ErrorSite(name, tx, ty), out length);

    /// <summary>
    /// Decodes tile (<paramref name="tx"/>, <paramref name="ty"/>) into <paramref name="destination"/>
    /// (at least the tile's visible rows, each a full tile width). Returns false when the tile is
    /// missing from the file (sparse): the caller fills it.
    /// </summary>
    public bool Decode(long tx, long ty, Span<byte> destination, int stride, PixelFormat output)
    {
        var where = new ErrorSite(name, tx, ty);
        TileGrid grid = image.Grid;
        int visibleWidth = grid.VisibleWidth(tx);
        int visibleHeight = grid.VisibleHeight(ty);
        long index = grid.IndexOf(tx, ty);
        TileFormat f = Format;

        if (f.Planar == 2)
        {
            return DecodePlanar(index, visibleWidth, visibleHeight, destination, stride, output, where);
        }

        byte[]? chunk = ChunkFetcher.Read(image, index, where, out int length);
        if (chunk is null)
        {
            return false;
        }

        try
        {
            ReadOnlySpan<byte> compressed = chunk.AsSpan(0, length);
            if (f.IsJpeg)
            {
                DecodeJpeg(compressed, visibleWidth, visibleHeight, destination, stride, output, where);
                return true;
            }

            byte[] samples = ArrayPool<byte>.Shared.Rent(f.ChunkBytes);
            try
            {
                int rowBytes = f.TileWidth * f.SamplesPerPixel;
                Decompress(compressed, samples.AsSpan(0, f.ChunkBytes), rowBytes * visibleHeight, where);
                if (f.Predictor == 2)
                {
                    HorizontalPredictor.Undo(samples, f.TileWidth, visibleHeight, f.SamplesPerPixel, rowBytes);
                }

                SampleConverter.Convert(f, samples, rowBytes, 0, visibleWidth, visibleHeight, destination, stride, output);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(samples);
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private bool DecodePlanar(long index, int visibleWidth, int visibleHeight, Span<byte> destination, int stride, PixelFormat output, ErrorSite where)
    {
        TileFormat f = Format;
        int planeBytes = f.TileWidth * f.TileHeight;
        byte[] samples = ArrayPool<byte>.Shared.Rent(planeBytes * f.SamplesPerPixel);
        try
        {
            long tilesPerPlane = image.Grid.TileCount;
            for (int s = 0; s < f.SamplesPerPixel; s++)
            {
                byte[]? chunk = ChunkFetcher.Read(image, (s * tilesPerPlane) + index, where, out int length);
                if (chunk is null)
                {
                    return false;
                }

                try
                {
                    Span<byte> plane = samples.AsSpan(s * planeBytes, planeBytes);
                    Decompress(chunk.AsSpan(0, length), plane, f.TileWidth * visibleHeight, where);
                    if (f.Predictor == 2)
                    {
                        HorizontalPredictor.Undo(plane, f.TileWidth, visibleHeight, 1, f.TileWidth);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }

            SampleConverter.Convert(f, samples, f.TileWidth, planeBytes, visibleWidth, visibleHeight, destination, stride, output);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(samples);
        }
    }

    private void Decompress(ReadOnlySpan<byte> compressed, Span<byte> samples, int needed, ErrorSite where)
    {
        int written;
        try
        {
            switch (Format.Compression)
            {
                case TiffCompression.None:
                    written = Math.Min(compressed.Length, samples.Length);
                    compressed[..written].CopyTo(samples);
                    break;
                case TiffCompression.Lzw:
                    written = DecoderSet.Current.Lzw.Decode(compressed, samples);
                    break;
                case TiffCompression.AdobeDeflate:
                case TiffCompression.Deflate:
                    written = DeflateDecoder.Decode(compressed, samples, useNative ? DecoderSet.Current.Inflater : null);
                    break;
                case TiffCompression.Zstd:
                case TiffCompression.ZstdLegacy:
                    written = DecoderSet.Current.Zstd.Unwrap(compressed, samples);
                    break;
                case TiffCompression.PackBits:
                    written = PackBitsDecoder.Decode(compressed, samples);
                    break;
                default:
                    throw new UnsupportedFormatException(Path, where.ToString(), $"compression {Format.CompressionName} is not supported");
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"{Format.CompressionName} data corrupt: {e.Message}", e);
        }
        catch (ZstdSharp.ZstdException e)
        {
            string reason = e.Message.Contains("too small", StringComparison.OrdinalIgnoreCase) ? "expands beyond the tile" : e.Message;
            throw new CorruptSlideException(Path, where.ToString(), $"zstd data corrupt: {reason}", e);
        }

        if (written < needed)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"{Format.CompressionName} data ends after {written} bytes; the tile needs {needed}");
        }
    }

    private void DecodeJpeg(ReadOnlySpan<byte> compressed, int visibleWidth, int visibleHeight, Span<byte> destination, int stride, PixelFormat output, ErrorSite where)
    {
        TileFormat f = Format;
        if (f.JpegDecodesToPixels)
        {
            JpegOutput jpegOutput = output == PixelFormat.Rgba32 ? JpegOutput.Rgba : JpegOutput.Rgb;
            RunJpeg(compressed, f.JpegColor, jpegOutput, destination, stride, visibleWidth, visibleHeight, where);
            return;
        }

        // Raw components (RGBA, grey + alpha) and min-is-white grey go through the sample converter.
        int spp = f.SamplesPerPixel;
        int rowBytes = f.TileWidth * spp;
        byte[] samples = ArrayPool<byte>.Shared.Rent(rowBytes * f.TileHeight);
        try
        {
            RunJpeg(compressed, f.JpegColor, JpegOutput.Components, samples.AsSpan(0, rowBytes * f.TileHeight), rowBytes, visibleWidth, visibleHeight, where);
            SampleConverter.Convert(f, samples, rowBytes, 0, visibleWidth, visibleHeight, destination, stride, output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(samples);
        }
    }

    private void RunJpeg(ReadOnlySpan<byte> compressed, JpegColorSpace color, JpegOutput jpegOutput, Span<byte> destination, int stride, int visibleWidth, int visibleHeight, ErrorSite where)
    {
        TileFormat f = Format;
        ReadOnlySpan<byte> tables = f.JpegTables;
        DecoderSet decoders = DecoderSet.Current;
        ManagedJpegDecoder managed = decoders.ManagedJpeg;
        int width, height, components;
        if (useNative)
        {
            // Our header parser vets every tile first: it rejects a tile that depends on tables
            // another tile defined, which libjpeg (keeping tables across images) would accept.
            string? problem = managed.Header.Parse(tables, compressed, JpegLayout.ModeRaw, out bool unsupported);
            if (problem is not null && !unsupported)
            {
                throw new CorruptSlideException(Path, where.ToString(), "JPEG " + problem);
            }

            NativeJpegDecoder native = decoders.NativeJpeg;
            NativeStatus status = native.Decode(tables, compressed, color, jpegOutput, destination, stride, f.TileWidth, f.TileHeight, out width, out height, out components);
            if (status != NativeStatus.Ok)
            {
                string reason = "JPEG " + native.LastMessage;
                throw status == NativeStatus.SizeMismatch
                    ? new CorruptSlideException(Path, where.ToString(), reason + $" (tile is {f.TileWidth}x{f.TileHeight})")
                    : new CorruptSlideException(Path, where.ToString(), reason);
            }
        }
        else
        {
            JpegDecodeStatus status = managed.Decode(tables, compressed, color, jpegOutput, destination, stride, f.TileWidth, f.TileHeight, out width, out height, out components);
            if (status != JpegDecodeStatus.Ok)
            {
                string reason = "JPEG " + managed.LastMessage;
                throw status == JpegDecodeStatus.Unsupported
                    ? new UnsupportedFormatException(Path, where.ToString(), reason)
                    : new CorruptSlideException(Path, where.ToString(), reason);
            }
        }

        if (width < visibleWidth || height < visibleHeight)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"JPEG image is {width}x{height}, smaller than the {visibleWidth}x{visibleHeight} the tile shows");
        }

        int expectedComponents = jpegOutput switch
        {
            JpegOutput.Rgb => 3,
            JpegOutput.Rgba => 4,
            _ => color == JpegColorSpace.Gray ? 1 : f.SamplesPerPixel,
        };
        if (components != expectedComponents)
        {
            throw new CorruptSlideException(Path, where.ToString(), $"JPEG has {components} components, {expectedComponents} expected from the TIFF tags");
        }
    }
}
