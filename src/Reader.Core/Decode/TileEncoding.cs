using Reader.Core.Open;
using Reader.Native.Jpeg;

namespace Reader.Core.Decode;

/// <summary>What the alpha sample of an image means.</summary>
public enum AlphaKind
{
    /// <summary>No alpha sample (extra samples, if any, are ignored).</summary>
    None,

    /// <summary>Straight alpha.</summary>
    Unassociated,

    /// <summary>Premultiplied alpha.</summary>
    Associated,
}

/// <summary>
/// How the bytes of one image's tiles encode pixels, in TIFF's vocabulary (the lingua franca of slide
/// formats): compression, photometric interpretation, samples, planes, predictor, JPEG tables, palette.
/// A format driver states it per level; the codec registered for <see cref="Compression"/> decodes it.
/// TIFF drivers check every tag when they build one, so an unsupported image is refused at open.
/// </summary>
public sealed record TileEncoding
{
    /// <summary>More samples than any slide format uses (RGB plus a few extra channels).</summary>
    public const int MaxSamplesPerPixel = 16;

    /// <summary>Compression code, TIFF numbering (<see cref="TileCompression"/>); other formats map theirs onto it.</summary>
    public required int Compression { get; init; }

    /// <summary>TIFF PhotometricInterpretation: 0 min-is-white, 1 min-is-black, 2 RGB, 3 palette, 6 YCbCr.</summary>
    public int Photometric { get; init; } = TiffPhotometric.Rgb;

    /// <summary>Samples per pixel (of <see cref="BitsPerSample"/> bits each).</summary>
    public int SamplesPerPixel { get; init; } = 3;

    /// <summary>1: samples interleaved (one chunk per tile); 2: one plane per sample (a chunk per sample).</summary>
    public int Planar { get; init; } = 1;

    /// <summary>TIFF predictor: 1 none, 2 horizontal differencing.</summary>
    public int Predictor { get; init; } = 1;

    /// <summary>What the first sample after the colour samples means.</summary>
    public AlphaKind Alpha { get; init; }

    /// <summary>Index of the alpha sample (the first extra sample), when there is one.</summary>
    public int AlphaSample { get; init; } = 3;

    /// <summary>Width of a stored tile (edge tiles are stored full size).</summary>
    public required int TileWidth { get; init; }

    /// <summary>Height of a stored tile.</summary>
    public required int TileHeight { get; init; }

    /// <summary>
    /// Bits per sample: 8, or 16 (uncompressed and lossless codecs; narrowed to 8 bits as libtiff's RGBA interface
    /// does, (v + 128) / 257, so pixels equal OpenSlide's).
    /// </summary>
    public int BitsPerSample { get; init; } = 8;

    /// <summary>Byte order of 16-bit samples (TIFF: the file's).</summary>
    public bool BigEndianSamples { get; init; }

    /// <summary>Shared JPEG tables (TIFF JPEGTables): quantisation and/or Huffman tables tiles may lack.</summary>
    public byte[]? JpegTables { get; init; }

    /// <summary>
    /// The start of one JPEG stream, SOI through the SOS segment (its frame sized to one tile), that every tile's bytes
    /// continue: for formats that store a single JPEG per image and address its restart intervals as tiles (Hamamatsu
    /// NDPI). A tile's bytes then run up to and including the next restart marker, whose last byte is read as EOI.
    /// </summary>
    public byte[]? JpegHeader { get; init; }

    /// <summary>
    /// JPEG tiles are decoded at 1/<c>JpegScale</c> (1, 2, 4 or 8) with libjpeg's reduced-size IDCTs, as OpenSlide
    /// makes NDPI's extra levels; <see cref="TileWidth"/> and <see cref="TileHeight"/> are then the decoded size.
    /// </summary>
    public int JpegScale { get; init; } = 1;

    /// <summary>A palette as 256 packed RGB triplets, 8 bits each.</summary>
    public byte[]? Palette { get; init; }

    /// <summary>The layout tiles decode to natively: RGBA when the image has alpha, else RGB.</summary>
    public PixelFormat NativeFormat => Alpha == AlphaKind.None ? PixelFormat.Rgb24 : PixelFormat.Rgba32;

    /// <summary>Compressed chunks per tile: one, or one per sample plane.</summary>
    public int ChunksPerTile => Planar == 2 ? SamplesPerPixel : 1;

    /// <summary>Bytes of one decoded chunk (a tile, or one plane of it when planar), at the stored sample depth.</summary>
    public int ChunkBytes => TileWidth * TileHeight * (Planar == 2 ? 1 : SamplesPerPixel) * (BitsPerSample / 8);

    /// <summary>The compression's name ("JPEG", "deflate", ...).</summary>
    public string CompressionName => TiffCompression.NameOf(Compression);

    internal bool IsJpeg => Compression == TiffCompression.Jpeg;

    /// <summary>
    /// The checks every encoding passes before its tiles are decoded, whichever driver stated it (TIFF drivers check
    /// the tags in more detail first): null when the reader can decode tiles of it within the limits, else the
    /// typed exception naming the file and image.
    /// </summary>
    internal SlideException? Validate(string path, string where, long width, long height, SlideLimits limits)
    {
        if (TileWidth <= 0 || TileHeight <= 0 || (long)TileWidth * TileHeight > limits.MaxTilePixels)
        {
            return new SlideLimitException(path, where, $"tile size {TileWidth}x{TileHeight} is empty or exceeds the limit of {limits.MaxTilePixels} pixels per tile");
        }

        long tiles = ((width + TileWidth - 1) / TileWidth) * ((height + TileHeight - 1) / TileHeight);
        if (tiles > limits.MaxTilesPerLevel)
        {
            return new SlideLimitException(path, where, $"{tiles} tiles exceed the limit of {limits.MaxTilesPerLevel} per image");
        }

        if (SamplesPerPixel is < 1 or > MaxSamplesPerPixel || Planar is not (1 or 2) || BitsPerSample is not (8 or 16) || Predictor is not (1 or 2))
        {
            return new UnsupportedFormatException(path, where, $"{SamplesPerPixel} samples of {BitsPerSample} bits, planar configuration {Planar}, predictor {Predictor} are not supported");
        }

        if ((long)TileWidth * TileHeight * SamplesPerPixel * (BitsPerSample / 8) > limits.MaxTilePixels * 4L)
        {
            return new SlideLimitException(path, where, $"a {TileWidth}x{TileHeight} tile of {SamplesPerPixel} {BitsPerSample}-bit samples exceeds the limit of {limits.MaxTilePixels * 4L} bytes per decoded tile");
        }

        int colorSamples = Photometric switch
        {
            TiffPhotometric.MinIsBlack or TiffPhotometric.MinIsWhite or TiffPhotometric.Palette => 1,
            TiffPhotometric.Rgb or TiffPhotometric.YCbCr => 3,
            _ => 0,
        };
        if (colorSamples == 0 || SamplesPerPixel < colorSamples)
        {
            return new UnsupportedFormatException(path, where, $"photometric interpretation {TiffPhotometric.NameOf(Photometric)} with {SamplesPerPixel} samples per pixel is not supported");
        }

        if (JpegScale is not (1 or 2 or 4 or 8) || ((JpegScale != 1 || JpegHeader is not null) && !IsJpeg))
        {
            return new UnsupportedFormatException(path, where, $"JPEG scale 1/{JpegScale} or a shared JPEG header with {CompressionName} compression is not supported");
        }

        if (Photometric == TiffPhotometric.Palette && Palette is not { Length: 3 * 256 })
        {
            return new CorruptSlideException(path, where, "palette image without a 256-entry RGB palette");
        }

        if (Alpha != AlphaKind.None && (AlphaSample < colorSamples || AlphaSample >= SamplesPerPixel))
        {
            return new CorruptSlideException(path, where, $"alpha sample {AlphaSample} is not an extra sample of {SamplesPerPixel}");
        }

        return null;
    }

    /// <summary>The JPEG colour space the tags state: the TIFF photometric decides, never the JPEG's own guess (Aperio's RGB-coded tiles).</summary>
    internal JpegColorSpace JpegColor => Photometric switch
    {
        TiffPhotometric.YCbCr when SamplesPerPixel == 3 => JpegColorSpace.YCbCr,
        TiffPhotometric.Rgb when SamplesPerPixel == 3 => JpegColorSpace.Rgb,
        TiffPhotometric.MinIsBlack or TiffPhotometric.MinIsWhite when SamplesPerPixel == 1 => JpegColorSpace.Gray,
        _ => JpegColorSpace.Raw, // RGBA, grey + alpha: components passed through
    };

    /// <summary>True when a JPEG decodes straight to RGB/RGBA (no sample conversion step).</summary>
    internal bool JpegDecodesToPixels => IsJpeg && Photometric != TiffPhotometric.MinIsWhite && JpegColor != JpegColorSpace.Raw;
}

/// <summary>Compression codes (TIFF numbering) of the codecs this reader registers, and the ones other formats map onto.</summary>
public static class TileCompression
{
    /// <summary>Uncompressed samples.</summary>
    public const int None = TiffCompression.None;

    /// <summary>LZW.</summary>
    public const int Lzw = TiffCompression.Lzw;

    /// <summary>Baseline JPEG (TIFF technote 2).</summary>
    public const int Jpeg = TiffCompression.Jpeg;

    /// <summary>Deflate (zlib).</summary>
    public const int Deflate = TiffCompression.AdobeDeflate;

    /// <summary>Deflate, the older code.</summary>
    public const int DeflateLegacy = TiffCompression.Deflate;

    /// <summary>PackBits.</summary>
    public const int PackBits = TiffCompression.PackBits;

    /// <summary>Zstandard.</summary>
    public const int Zstd = TiffCompression.Zstd;

    /// <summary>Zstandard, the code some writers used before 50000.</summary>
    public const int ZstdLegacy = TiffCompression.ZstdLegacy;

    /// <summary>Aperio JPEG 2000, a YCbCr codestream (33003).</summary>
    public const int AperioJpeg2000YCbCr = TiffCompression.AperioJp2kYCbCr;

    /// <summary>Aperio JPEG 2000, an RGB codestream (33005).</summary>
    public const int AperioJpeg2000Rgb = TiffCompression.AperioJp2kRgb;

    /// <summary>WebP, one WebP file per tile (libtiff, GDAL).</summary>
    public const int WebP = TiffCompression.WebP;
}
