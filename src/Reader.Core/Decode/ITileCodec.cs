namespace Reader.Core.Decode;

/// <summary>
/// Decodes the compressed chunks of one compression (registered by code in a <see cref="TileCodecRegistry"/>).
/// A codec is shared by every slide and thread: keep per-thread state in thread-static fields. It either
/// decodes a tile straight to pixels (<see cref="TryDecodePixels"/>) or to samples in the chunk's layout,
/// after which the reader undoes the predictor and converts samples to pixels for it.
/// </summary>
public interface ITileCodec
{
    /// <summary>The compression's name in messages and level descriptions ("JPEG", "deflate").</summary>
    string Name { get; }

    /// <summary>Null when tiles of <paramref name="encoding"/> can be decoded; otherwise why not (checked once per image, at open).</summary>
    string? Refuse(TileEncoding encoding) => null;

    /// <summary>
    /// Whether Reader.Gpu has kernels that decode tiles of <paramref name="encoding"/> on the device. Only the built-in
    /// codecs can say yes today (the kernels are Reader.Gpu's own: JPEG); tiles of other codecs are decoded on the CPU
    /// and assembled on the device.
    /// </summary>
    bool HasDeviceKernel(TileEncoding encoding) => false;

    /// <summary>
    /// Decodes one tile straight into <paramref name="destination"/> (rows of <paramref name="stride"/> bytes, at
    /// least the visible rows, each a full tile wide) when this codec can; false to take the sample path instead.
    /// </summary>
    bool TryDecodePixels(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> destination, int stride, PixelFormat format) => false;

    /// <summary>
    /// Decompresses one chunk into <paramref name="samples"/> (rows of TileWidth x samples-per-chunk bytes) and
    /// returns the bytes written; fewer than the visible rows need is reported as corrupt by the reader.
    /// Throw <see cref="TileDecodeContext.Corrupt"/>'s exception (or <see cref="InvalidDataException"/>) for bad data.
    /// </summary>
    int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples);
}

/// <summary>The tile a codec is decoding: its encoding, position and visible size, and how errors name it.</summary>
public readonly struct TileDecodeContext
{
    private readonly string path;
    private readonly ErrorSite where;

    internal TileDecodeContext(TileEncoding encoding, string path, ErrorSite where, long column, long row, int visibleWidth, int visibleHeight, bool useNative)
    {
        Encoding = encoding;
        this.path = path;
        this.where = where;
        Column = column;
        Row = row;
        VisibleWidth = visibleWidth;
        VisibleHeight = visibleHeight;
        UseNative = useNative;
    }

    /// <summary>How the tile is encoded.</summary>
    public TileEncoding Encoding { get; }

    /// <summary>Tile column.</summary>
    public long Column { get; }

    /// <summary>Tile row.</summary>
    public long Row { get; }

    /// <summary>Columns of the tile inside the image (edge tiles show less than they store).</summary>
    public int VisibleWidth { get; }

    /// <summary>Rows of the tile inside the image.</summary>
    public int VisibleHeight { get; }

    /// <summary>True when native decoders (libjpeg-turbo, libdeflate) are in use; false for the managed ones.</summary>
    internal bool UseNative { get; }

    /// <summary>A <see cref="CorruptSlideException"/> naming the file, level and tile.</summary>
    public CorruptSlideException Corrupt(string reason, Exception? inner = null) => new(path, where.ToString(), reason, inner);

    /// <summary>An <see cref="UnsupportedFormatException"/> naming the file, level and tile.</summary>
    public UnsupportedFormatException Unsupported(string reason) => new(path, where.ToString(), reason);
}
