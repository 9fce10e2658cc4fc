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

    /// <summary>NumberOfFrames (IS) read as C's strtol reads it into 32 bits, as OpenSlide's DICOM library does; 1 when absent.</summary>
    public long FrameCount => Metadata.String(DicomTags.NumberOfFrames) is { } text ? StrtolUInt32(text) : 1;

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

            if (instance.FrameDescriptionProblem() is { } problem)
            {
                throw new CorruptSlideException(source.Name, null, problem);
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

    /// <summary>
    /// What OpenSlide's DICOM library refuses in an instance's frame description when it reads the metadata (so such a
    /// sibling is skipped, and such an opened file fails): null when nothing.
    /// </summary>
    public string? FrameDescriptionProblem()
    {
        if (FrameCount == 0)
        {
            return $"NumberOfFrames '{Metadata.String(DicomTags.NumberOfFrames)}' is not a positive number";
        }

        foreach ((uint tag, string keyword) in new[] { (DicomTags.Columns, "Columns"), (DicomTags.Rows, "Rows"), (DicomTags.SamplesPerPixel, "SamplesPerPixel"), (DicomTags.BitsAllocated, "BitsAllocated"), (DicomTags.BitsStored, "BitsStored"), (DicomTags.PixelRepresentation, "PixelRepresentation") })
        {
            if (Metadata.Integer(tag) is null)
            {
                return $"{keyword} not found (or not a binary integer)";
            }
        }

        if (Metadata.Integer(DicomTags.Columns) <= 0 || Metadata.Integer(DicomTags.Rows) <= 0)
        {
            return $"frame size {Metadata.Integer(DicomTags.Columns)}x{Metadata.Integer(DicomTags.Rows)} is empty";
        }

        if (Metadata.Integer(DicomTags.TotalPixelMatrixColumns) <= 0 || Metadata.Integer(DicomTags.TotalPixelMatrixRows) <= 0)
        {
            return $"total pixel matrix {Metadata.Integer(DicomTags.TotalPixelMatrixColumns)}x{Metadata.Integer(DicomTags.TotalPixelMatrixRows)} is empty";
        }

        long bits = Metadata.Integer(DicomTags.BitsAllocated)!.Value;
        if (bits == 1 || bits % 8 != 0)
        {
            return $"BitsAllocated {bits} is not a multiple of 8";
        }

        if (Metadata.Integer(DicomTags.SamplesPerPixel) > 1 && Metadata.Integer(DicomTags.PlanarConfiguration) is null)
        {
            return "PlanarConfiguration not found (or not a binary integer)";
        }

        return Metadata.String(DicomTags.PhotometricInterpretation) is null ? "PhotometricInterpretation not found" : null;
    }

    public void Dispose()
    {
        if (ownsSource)
        {
            Source.Dispose();
        }
    }

    public override string ToString() => System.IO.Path.GetFileName(Path);

    /// <summary>C's strtol(text, NULL, 10) stored in a uint32: leading white space and sign, then digits up to the first other character.</summary>
    private static long StrtolUInt32(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or (>= '\t' and <= '\r'))
        {
            i++;
        }

        bool negative = i < text.Length && text[i] == '-';
        if (i < text.Length && text[i] is '-' or '+')
        {
            i++;
        }

        long value = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            value = Math.Min((value * 10) + (text[i] - '0'), long.MaxValue / 16); // strtol saturates; only the low 32 bits are kept
        }

        return (uint)(negative ? -value : value);
    }
}
