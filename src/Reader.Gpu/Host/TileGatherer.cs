using System.Buffers;
using System.Diagnostics;
using Reader.Core;
using Reader.Core.Assemble;
using Reader.Core.Decode;
using Reader.Core.Plan;
using Reader.Core.Decode.Jpeg;
using Reader.Native.Jpeg;

namespace Reader.Gpu.Host;

/// <summary>
/// The host side of one level: fetches a tile's compressed bytes with Reader.Core's fetch step and parses
/// its header for the device, or decodes those same bytes on the CPU with Reader.Core's <see cref="TileDecoder"/>
/// (native libjpeg-turbo when the slide uses it) when the kernels cannot take it: codecs without a kernel,
/// JPEGs the header parser refuses (progressive, 12-bit, arithmetic, multi-scan, corrupt headers), JPEG
/// images the codec's tile rules refuse. Tiles are never read twice.
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
        TileEncoding f = Decoder.Encoding;
        SlotStride = Grid.TileWidth * format.BytesPerPixel();
        SlotBytes = SlotStride * Grid.TileHeight;
        ITileCodec codec = Decoder.Codec;
        if (codec is JpegCodec && codec.HasDeviceKernel(f))
        {
            headers = new HeaderCache(f);
        }
        else if (codec is DeflateCodec && codec.HasDeviceKernel(f))
        {
            DeviceDeflate = true;
        }
        else
        {
            HostOnlyReason = codec is JpegCodec or DeflateCodec
                ? codec is DeflateCodec
                    ? $"deflate with {(f.Planar == 2 ? "separate planes" : f.BitsPerSample != 8 ? $"{f.BitsPerSample}-bit samples" : f.Palette is not null ? "a palette" : $"predictor {f.Predictor} or photometric {f.Photometric}")} decodes on the CPU"
                    : $"JPEG with {(f.Planar == 2 ? "separate planes" : f.JpegColor == JpegColorSpace.Raw ? "raw components (e.g. alpha)" : "inverted grey")} decodes on the CPU"
                : $"{codec.Name} tiles have no device kernel: they decode on the CPU";
        }
    }

    public TileDecoder Decoder { get; }

    public TileGrid Grid { get; }

    public PixelFormat Format { get; }

    public int SlotStride { get; }

    public int SlotBytes { get; }

    /// <summary>True when the level's tiles are deflate the kernels inflate (else JPEG, or none).</summary>
    public bool DeviceDeflate { get; }

    /// <summary>The level's codec, by name (for statistics).</summary>
    public string CodecName => Decoder.Codec.Name;

    /// <summary>Why no tile of this level goes to the device, or null.</summary>
    public string? HostOnlyReason { get; }

    /// <summary>Gathers <paramref name="work"/>: device-ready, CPU-decoded, or missing.</summary>
    public void Gather(TileWork work, GatherCounters counters)
    {
        long start = Stopwatch.GetTimestamp();
        work.Fetched = Decoder.Fetch(work.Column, work.Row);
        long read = Stopwatch.GetTimestamp();
        counters.AddRead(read - start, work.Fetched.Length);
        if (work.Fetched.Missing)
        {
            work.Route = TileRoute.Missing;
            return;
        }

        if (DeviceDeflate && work.Fetched.Chunks == 1)
        {
            work.ChunkLength = work.Fetched.Chunk(0).Length;
            work.Route = TileRoute.Device;
            return;
        }

        if (headers is null || work.Fetched.Chunks != 1)
        {
            DecodeOnHost(work, HostOnlyReason ?? "tile has more than one chunk", counters); // the CPU decoder checks the chunk count
            return;
        }

        ReadOnlySpan<byte> tile = work.Fetched.Chunk(0);
        ParsedHeader header = headers.Get(tile);
        string? problem = header.Problem ?? Fits(header.Descriptor!, work);
        counters.AddParse(Stopwatch.GetTimestamp() - read);
        if (problem is not null)
        {
            DecodeOnHost(work, problem, counters);
            return;
        }

        work.ChunkLength = tile.Length;
        work.Header = header;
        work.Route = TileRoute.Device;
    }

    /// <summary>
    /// Decodes a gathered tile on the CPU from its fetched bytes into <paramref name="destination"/> (slot layout);
    /// false when it is missing from the file. Throws the CPU decoder's typed exception when the tile is undecodable.
    /// </summary>
    public bool DecodeOnHost(TileWork work, Span<byte> destination) =>
        Decoder.Decode(in work.Fetched, work.Column, work.Row, destination, SlotStride, Format);

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
        finally
        {
            work.Fetched.Dispose(); // decoded: the compressed bytes are done with
        }

        counters.AddHostDecode(Stopwatch.GetTimestamp() - start);
        work.Pixels = pixels;
        work.HostReason = reason;
        work.Route = TileRoute.Host;
    }

    /// <summary>The JPEG codec's tile rules, applied to the parsed header before the tile goes to the device.</summary>
    private string? Fits(int[] descriptor, TileWork work) =>
        JpegCodec.CheckImage(
            Decoder.Encoding,
            descriptor[JpegLayout.Width],
            descriptor[JpegLayout.Height],
            descriptor[JpegLayout.ComponentCount],
            Grid.VisibleWidth(work.Column),
            Grid.VisibleHeight(work.Row));
}
