namespace Reader.SlideWriter;

/// <summary>Tile compressions the writer produces.</summary>
public enum SlideCompression
{
    Jpeg,
    Deflate,
    Lzw,
    None,
    Zstd,
    PackBits,

    /// <summary>Aperio JPEG 2000, YCbCr codestream (TIFF 33003), chroma subsampled as <see cref="SyntheticSlideSpec.Subsampling"/> says.</summary>
    Jpeg2000YCbCr,

    /// <summary>Aperio JPEG 2000, RGB codestream with the codestream's colour transform (TIFF 33005).</summary>
    Jpeg2000Rgb,

    /// <summary>WebP tiles (TIFF 50001, libtiff/GDAL style): RGB or RGBA, lossy at <see cref="SyntheticSlideSpec.Quality"/> or lossless.</summary>
    WebP,
}

/// <summary>JPEG chroma subsampling (luma sampling factors H x V).</summary>
public enum ChromaSubsampling
{
    /// <summary>4:2:0, luma 2x2.</summary>
    S420,

    /// <summary>4:2:2, luma 2x1.</summary>
    S422,

    /// <summary>4:4:4, no subsampling.</summary>
    S444,

    /// <summary>4:4:0, luma 1x2.</summary>
    S440,
}

/// <summary>Where JPEG tables live.</summary>
public enum JpegTablesPlacement
{
    /// <summary>All tables in JPEGTables; tiles are abbreviated (the common case).</summary>
    Shared,

    /// <summary>No JPEGTables tag; every tile is a complete JPEG.</summary>
    InTile,

    /// <summary>Quantization tables in JPEGTables, Huffman tables in every tile (GDAL style).</summary>
    Split,
}

/// <summary>Sample layout of the slide.</summary>
public enum SlideColor
{
    /// <summary>Photometric YCbCr for JPEG, RGB otherwise.</summary>
    Rgb,

    /// <summary>JPEG stored as RGB without colour transform, component ids 0,1,2 (Aperio).</summary>
    RgbCodedJpeg,

    /// <summary>One grey sample (min-is-black).</summary>
    Gray,

    /// <summary>RGB plus unassociated alpha (lossless codecs only).</summary>
    Rgba,
}

/// <summary>Vendor dressing of the file.</summary>
public enum SlideVendor
{
    /// <summary>A generic pyramid: reduced levels flagged NewSubfileType=1.</summary>
    Generic,

    /// <summary>Aperio SVS style: an Aperio ImageDescription, unflagged levels, a stripped thumbnail as IFD 1.</summary>
    Aperio,

    /// <summary>Reduced levels stored as SubIFDs of the full-resolution image.</summary>
    SubIfd,
}

/// <summary>What to write. Everything is deterministic for a given spec (and encoder).</summary>
public sealed record SyntheticSlideSpec
{
    public long Width { get; init; } = 4096;

    public long Height { get; init; } = 3072;

    public int TileWidth { get; init; } = 256;

    public int TileHeight { get; init; } = 256;

    /// <summary>Number of levels; each halves the previous (rounded up). Capped where a level would be empty.</summary>
    public int Levels { get; init; } = 3;

    public SlideCompression Compression { get; init; } = SlideCompression.Jpeg;

    public SlideColor Color { get; init; } = SlideColor.Rgb;

    public ChromaSubsampling Subsampling { get; init; } = ChromaSubsampling.S420;

    public JpegTablesPlacement Tables { get; init; } = JpegTablesPlacement.Shared;

    public int Quality { get; init; } = 95;

    /// <summary>JPEG 2000 compression ratio (irreversible 9/7); 0 writes lossless 5/3 codestreams.</summary>
    public int Jpeg2000Rate { get; init; } = 20;

    /// <summary>Lossless WebP instead of lossy at <see cref="Quality"/>.</summary>
    public bool WebpLossless { get; init; }

    /// <summary>JPEG restart interval in MCUs (0 = none).</summary>
    public int RestartInterval { get; init; }

    /// <summary>Horizontal differencing (predictor 2) for deflate, LZW and zstd.</summary>
    public bool Predictor { get; init; }

    /// <summary>Separate sample planes (PlanarConfiguration 2; lossless codecs only).</summary>
    public bool Planar { get; init; }

    /// <summary>Write BigTIFF (also chosen automatically when the file could pass 4 GiB).</summary>
    public bool BigTiff { get; init; }

    /// <summary>Write big-endian ("MM") instead of little-endian.</summary>
    public bool BigEndian { get; init; }

    public SlideVendor Vendor { get; init; } = SlideVendor.Generic;

    /// <summary>Seed of the procedural H&amp;E-like content.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Use the managed encoder (BitMiracle.LibJpeg.NET) even when libjpeg-turbo is available.</summary>
    public bool ManagedJpegEncoder { get; init; }

    /// <summary>Encoder threads (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Size of level <paramref name="level"/> (each level halves, rounding up).</summary>
    public (long Width, long Height) LevelSize(int level) =>
        ((Width + (1L << level) - 1) >> level, (Height + (1L << level) - 1) >> level);

    /// <summary>Samples per pixel of the stored image.</summary>
    public int SamplesPerPixel => Color switch
    {
        SlideColor.Gray => 1,
        SlideColor.Rgba => 4,
        _ => 3,
    };
}
