using System.Globalization;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Dicom;

/// <summary>How an instance's frames are coded, by transfer syntax (the ones OpenSlide 4.0.1 reads).</summary>
internal enum DicomPixelFormat
{
    Jpeg,
    Jpeg2000,
    Jpeg2000Lossless,
    Rgb,
}

/// <summary>
/// One DICOM Part 10 file of a series: its file meta information and metadata (the data set up to the per-frame
/// functional groups and pixel data, as OpenSlide's DICOM library reads it), and on demand its frame table.
/// </summary>
internal sealed class DicomInstance : IDisposable
{
    private readonly SlideLimits limits;
    private readonly bool ownsSource;
    private readonly long stopOffset;
    private readonly Lazy<DicomFrames> frames;

    private DicomInstance(SlideSource source, bool ownsSource, SlideLimits limits, DicomDataSet fileMeta, DicomDataSet metadata, long stopOffset)
    {
        Source = source;
        this.ownsSource = ownsSource;
        this.limits = limits;
        FileMeta = fileMeta;
        Metadata = metadata;
        this.stopOffset = stopOffset;
        TransferSyntax = fileMeta.String(DicomTags.TransferSyntaxUid) ?? string.Empty;
        frames = new Lazy<DicomFrames>(() => DicomFrames.Read(this, this.stopOffset, this.limits), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SlideSource Source { get; }

    public string Path => Source.Name;

    public DicomDataSet FileMeta { get; }

    public DicomDataSet Metadata { get; }

    public string TransferSyntax { get; }

    /// <summary>Data sets of this transfer syntax use implicit VR (read, but no frame format of OpenSlide's uses it).</summary>
    public bool ImplicitVr => TransferSyntax == "1.2.840.10008.1.2";

    public bool Encapsulated => Format is not DicomPixelFormat.Rgb;

    /// <summary>The frame format by transfer syntax; null for transfer syntaxes OpenSlide 4.0.1 refuses.</summary>
    public DicomPixelFormat? Format => TransferSyntax switch
    {
        "1.2.840.10008.1.2.1" => DicomPixelFormat.Rgb,
        "1.2.840.10008.1.2.4.50" => DicomPixelFormat.Jpeg,
        "1.2.840.10008.1.2.4.90" => DicomPixelFormat.Jpeg2000Lossless,
        "1.2.840.10008.1.2.4.91" => DicomPixelFormat.Jpeg2000,
        _ => null,
    };

    public string? SeriesUid => Metadata.String(DicomTags.SeriesInstanceUid);

    public string? InstanceUid => Metadata.String(DicomTags.SopInstanceUid);

    public string? ConcatenationUid => Metadata.String(DicomTags.ConcatenationUid);

    /// <summary>TotalPixelMatrixColumns x Rows.</summary>
    public long Width => Metadata.Integer(DicomTags.TotalPixelMatrixColumns) ?? 0;

    public long Height => Metadata.Integer(DicomTags.TotalPixelMatrixRows) ?? 0;

    /// <summary>Frame (tile) size: Columns x Rows.</summary>
    public int TileWidth => (int)(Metadata.Integer(DicomTags.Columns) ?? 0);

    public int TileHeight => (int)(Metadata.Integer(DicomTags.Rows) ?? 0);

    public long TilesAcross => TileWidth > 0 ? (Width + TileWidth - 1) / TileWidth : 0;

    public long TilesDown => TileHeight > 0 ? (Height + TileHeight - 1) / TileHeight : 0;

    /// <summary>NumberOfFrames (IS), 1 when absent.</summary>
    public long FrameCount => Metadata.String(DicomTags.NumberOfFrames) is { } text
        ? long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1
        : 1;

    /// <summary>The frame table: read at first use (a level at open, an associated image at its first read).</summary>
    public DicomFrames Frames => frames.Value;

    /// <summary>OpticalPathSequence[0].ICCProfile, or null.</summary>
    public byte[]? IccProfile => Metadata.Item(DicomTags.OpticalPathSequence)?.Find(DicomTags.IccProfile)?.Value;

    /// <summary>True when <paramref name="header"/> starts with a DICOM Part 10 preamble and "DICM".</summary>
    public static bool HasSignature(ReadOnlySpan<byte> header) => header.Length >= 132 && header[128..132].SequenceEqual("DICM"u8);

    /// <summary>
    /// Reads the file meta information and the metadata. Throws <see cref="UnsupportedFormatException"/> for a file
    /// that is not a VL Whole Slide Microscopy Image, <see cref="CorruptSlideException"/> for a damaged one. The
    /// instance disposes <paramref name="source"/> when <paramref name="ownsSource"/>.
    /// </summary>
    public static DicomInstance Read(SlideSource source, bool ownsSource, SlideLimits limits)
    {
        try
        {
            var cursor = new DicomCursor(source);
            if (!HasSignature(cursor.Take((int)Math.Min(132, cursor.Length), "preamble")))
            {
                throw new UnsupportedFormatException(source.Name, null, "not a DICOM Part 10 file (no \"DICM\" after the 128-byte preamble)");
            }

            var parser = new DicomParser(cursor, limits);
            DicomDataSet meta = parser.ReadFileMeta();
            string? sopClass = meta.String(DicomTags.MediaStorageSopClassUid);
            if (sopClass != DicomTags.WholeSlideImageStorage)
            {
                throw new UnsupportedFormatException(source.Name, null, $"not a whole-slide DICOM image: SOP class {sopClass ?? "(none)"}");
            }

            string syntax = meta.String(DicomTags.TransferSyntaxUid) ?? string.Empty;
            if (syntax is "1.2.840.10008.1.2.2" or "1.2.840.10008.1.2.1.99" or "")
            {
                throw new UnsupportedFormatException(source.Name, null, $"transfer syntax '{syntax}' (big endian, deflated or none) is not supported");
            }

            DicomDataSet metadata = parser.ReadMetadata(syntax == "1.2.840.10008.1.2", out _);
            var instance = new DicomInstance(source, ownsSource, limits, meta, metadata, cursor.Position);
            if (instance.SeriesUid is null)
            {
                throw new CorruptSlideException(source.Name, null, "SeriesInstanceUID not found");
            }

            return instance;
        }
        catch
        {
            if (ownsSource)
            {
                source.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        if (ownsSource)
        {
            Source.Dispose();
        }
    }

    public override string ToString() => System.IO.Path.GetFileName(Path);
}
