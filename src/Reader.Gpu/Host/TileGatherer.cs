using System.Buffers;
using System.Diagnostics;
using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Decode;
using Reader.Core.Plan;
using Reader.Native.Jpeg;

namespace Reader.Gpu.Host;

/// <summary>
/// The host side of one level: fetches a tile's compressed bytes and parses its header for the device,
/// or decodes it on the CPU with Reader.Core's <see cref="TileDecoder"/> (native libjpeg-turbo when the
/// slide uses it) when the kernels cannot take it: other compressions, JPEGs the header parser refuses
/// (progressive, 12-bit, arithmetic, multi-scan, corrupt headers), sizes that do not fit the tile.
/// A tile the CPU cannot decode either throws the typed <see cref="SlideException"/> naming file, level and tile.
/// </summary>
internal sealed class TileGatherer
{
    private readonly HeaderCache? headers;

    public TileGatherer(LevelSource level, PixelFormat format)
    {
        Decoder = level.Decoder;
        Grid = Decoder.Grid;
        Format = format;
        TileFormat f = Decoder.Format;
        SlotStride = Grid.TileWidth * format.BytesPerPixel();
        SlotBytes = SlotStride * Grid.TileHeight;
        if (f.IsJpeg && f.JpegDecodesToPixels && f.Planar == 1)
        {
            headers = new HeaderCache(f.JpegTables, f.JpegColor);
        }
        else
        {
            HostOnlyReason = f.IsJpeg
                ? $"JPEG with {(f.Planar == 2 ? "separate planes" : f.JpegColor == JpegColorSpace.Raw ? "raw components (e.g. alpha)" : "inverted grey")} decodes on the CPU"
                : $"{f.CompressionName} tiles decode on the CPU";
        }
    }

    public TileDecoder Decoder { get; }

    public TileGrid Grid { get; }

    public PixelFormat Format { get; }

    public int SlotStride { get; }

    public int SlotBytes { get; }

    /// <summary>Why no tile of this level goes to the device, or null.</summary>
    public string? HostOnlyReason { get; }

    /// <summary>Gathers <paramref name="work"/>: device-ready, CPU-decoded, or missing.</summary>
    public void Gather(TileWork work, GatherCounters counters)
    {
        if (headers is null)
        {
            DecodeOnHost(work, HostOnlyReason!, counters);
            return;
        }

        long start = Stopwatch.GetTimestamp();
        byte[]? chunk = Decoder.ReadChunk(work.Column, work.Row, out int length);
        long read = Stopwatch.GetTimestamp();
        counters.AddRead(read - start, chunk is null ? 0 : length);
        if (chunk is null)
        {
            work.Route = TileRoute.Missing;
            return;
        }

        ParsedHeader header = headers.Get(chunk.AsSpan(0, length));
        string? problem = header.Problem ?? Fits(header.Descriptor!, work);
        counters.AddParse(Stopwatch.GetTimestamp() - read);
        if (problem is not null)
        {
            ArrayPool<byte>.Shared.Return(chunk);
            DecodeOnHost(work, problem, counters);
            return;
        }

        work.Chunk = chunk;
        work.ChunkLength = length;
        work.Header = header;
        work.Route = TileRoute.Device;
    }

    /// <summary>
    /// Decodes a tile on the CPU into <paramref name="destination"/> (slot layout); false when it is missing
    /// from the file. Throws the CPU decoder's typed exception when the tile is undecodable.
    /// </summary>
    public bool DecodeOnHost(TileWork work, Span<byte> destination) =>
        Decoder.Decode(work.Column, work.Row, destination, SlotStride, Format);

    private void DecodeOnHost(TileWork work, string reason, GatherCounters counters)
    {
        long start = Stopwatch.GetTimestamp();
        byte[] pixels = ArrayPool<byte>.Shared.Rent(SlotBytes);
        try
        {
            if (!DecodeOnHost(work, pixels.AsSpan(0, SlotBytes)))
            {
                ArrayPool<byte>.Shared.Return(pixels);
                work.Route = TileRoute.Missing;
                return;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(pixels);
            throw;
        }

        counters.AddHostDecode(Stopwatch.GetTimestamp() - start);
        work.Pixels = pixels;
        work.HostReason = reason;
        work.Route = TileRoute.Host;
    }

    /// <summary>The CPU decoder's size checks: the JPEG must cover the tile's visible part and fit the tile.</summary>
    private string? Fits(int[] descriptor, TileWork work)
    {
        int width = descriptor[Core.Decode.Jpeg.JpegLayout.Width];
        int height = descriptor[Core.Decode.Jpeg.JpegLayout.Height];
        if (width > Grid.TileWidth || height > Grid.TileHeight)
        {
            return $"JPEG image is {width}x{height}, larger than the {Grid.TileWidth}x{Grid.TileHeight} tile";
        }

        if (width < Grid.VisibleWidth(work.Column) || height < Grid.VisibleHeight(work.Row))
        {
            return $"JPEG image is {width}x{height}, smaller than the tile's visible part";
        }

        return null;
    }
}
