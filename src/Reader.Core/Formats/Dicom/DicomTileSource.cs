using Reader.Core.Decode;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// A pyramid level or associated image of a DICOM series: the instance, or the instances of a concatenation, that
/// hold its frames. Its tile ranges point into a <see cref="DicomLevelSource"/> that lays those files end to end (and
/// after them, the frames split over several fragments, each as its pieces in a row), so the reader fetches every tile
/// as one range. Frame tables are read at first use: at open for levels, at the first read for associated images.
/// </summary>
internal sealed class DicomTileSource : ITileSource, IDisposable
{
    private readonly DicomInstance[] files;
    private readonly ushort[]? tileFiles;
    private readonly bool fillMissing;
    private readonly DicomLevelSource source;
    private readonly Lazy<TileEncoding> encoding;

    /// <param name="files">The instances in concatenation order (one for most levels).</param>
    /// <param name="fillMissing">Tiles without a frame are filled (sparse or concatenated levels); otherwise reading one is an error, as in OpenSlide.</param>
    /// <param name="associated">An associated image: OpenSlide reads it as its first frame, which must be the whole image.</param>
    /// <param name="limits">The limits the concatenation's tile map is checked against.</param>
    public DicomTileSource(DicomInstance[] files, bool fillMissing, bool associated, SlideLimits limits)
    {
        this.files = files;
        this.fillMissing = fillMissing;
        DicomInstance first = files[0];
        Width = first.Width;
        Height = first.Height;
        Name = files.Length == 1 ? $"instance {first}" : $"concatenation of {files.Length} instances from {first}";
        source = new DicomLevelSource(files);
        encoding = new Lazy<TileEncoding>(() => EncodingOf(first, associated), LazyThreadSafetyMode.ExecutionAndPublication);
        if (files.Length > 1)
        {
            tileFiles = FindTileFiles(files, limits);
        }
    }

    public string Name { get; }

    public long Width { get; }

    public long Height { get; }

    public TileEncoding Encoding => encoding.Value;

    public SlideSource Source => source;

    public int GetTileRanges(long column, long row, Span<ByteRange> ranges)
    {
        int file = 0;
        long frame;
        if (tileFiles is not null)
        {
            file = tileFiles[(row * files[0].TilesAcross) + column];
            frame = file == ushort.MaxValue ? -1 : files[file].Frames.FrameAt(column, row);
        }
        else
        {
            frame = files[0].Frames.FrameAt(column, row);
        }

        if (frame < 0)
        {
            return fillMissing
                ? 0
                : throw new CorruptSlideException(files[0].Path, $"{Name} tile ({column}, {row})", "no frame holds this tile (TILED_FULL with fewer frames than tiles)");
        }

        ByteRange range = files[file].Frames.Locate(frame, out int piece);
        ranges[0] = source.Place(file, range, piece);
        return 1;
    }

    /// <summary>Releases the files (the slide does it through <see cref="Source"/>).</summary>
    public void Dispose() => source.Dispose();

    /// <summary>Reads the frame tables now (open time for levels).</summary>
    public void Validate()
    {
        _ = Encoding;
        foreach (DicomInstance file in files)
        {
            _ = file.Frames;
        }

        _ = source.Length;
    }

    /// <summary>The encoding OpenSlide 4.0.1 decodes frames with: JPEG in the colour space PhotometricInterpretation names, JPEG 2000 as RGB, or raw RGB.</summary>
    private static TileEncoding EncodingOf(DicomInstance instance, bool associated)
    {
        if (associated && (instance.TileWidth != instance.Width || instance.TileHeight != instance.Height))
        {
            throw new UnsupportedFormatException(instance.Path, null, $"associated image of {instance.Width}x{instance.Height} in frames of {instance.TileWidth}x{instance.TileHeight}: OpenSlide reads it as one frame");
        }

        string photometric = instance.Metadata.String(DicomTags.PhotometricInterpretation) ?? string.Empty;
        (int compression, int tiffPhotometric) = instance.Format switch
        {
            DicomPixelFormat.Jpeg => (TileCompression.Jpeg, photometric == "YBR_FULL_422" ? 6 : 2),
            DicomPixelFormat.Jpeg2000 or DicomPixelFormat.Jpeg2000Lossless => (TileCompression.AperioJpeg2000Rgb, 2),
            _ => (TileCompression.None, 2),
        };
        return new TileEncoding { Compression = compression, Photometric = tiffPhotometric, SamplesPerPixel = 3, TileWidth = instance.TileWidth, TileHeight = instance.TileHeight };
    }

    /// <summary>For a concatenation: the first instance holding each tile (ushort.MaxValue for none), as OpenSlide finds it at open.</summary>
    private static ushort[] FindTileFiles(DicomInstance[] files, SlideLimits limits)
    {
        DicomInstance first = files[0];
        long across = first.TilesAcross, down = first.TilesDown;
        if (across * down > limits.MaxTilesPerLevel)
        {
            throw new SlideLimitException(first.Path, null, $"{across * down} tiles exceed the limit of {limits.MaxTilesPerLevel} per image");
        }

        var map = new ushort[across * down];
        for (long row = 0; row < down; row++)
        {
            for (long column = 0; column < across; column++)
            {
                ushort found = ushort.MaxValue;
                for (int f = 0; f < files.Length; f++)
                {
                    if (files[f].Frames.FrameAt(column, row) >= 0)
                    {
                        found = (ushort)f;
                        break;
                    }
                }

                map[(row * across) + column] = found;
            }
        }

        return map;
    }
}

/// <summary>
/// The files of one level laid end to end as one source, followed by the frames stored as several fragments (their
/// pieces in a row), so that each frame is one range. Built at first use; disposing it disposes the files it owns.
/// </summary>
internal sealed class DicomLevelSource : SlideSource
{
    private readonly DicomInstance[] files;
    private readonly Lazy<Layout> layout;

    public DicomLevelSource(DicomInstance[] files)
    {
        this.files = files;
        layout = new Lazy<Layout>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public override string Name => files[0].Path;

    public override long Length => layout.Value.Length;

    /// <summary>The range a frame has in this source: file <paramref name="file"/>'s <paramref name="range"/>, or its multi-fragment frame <paramref name="piece"/>.</summary>
    public ByteRange Place(int file, ByteRange range, int piece)
    {
        Layout l = layout.Value;
        return piece < 0 ? range with { Offset = l.FileBase[file] + range.Offset } : l.Pieces[file][piece];
    }

    protected override int ReadCore(long offset, Span<byte> destination)
    {
        Layout l = layout.Value;
        int i = Array.BinarySearch(l.Starts, offset);
        if (i < 0)
        {
            i = ~i - 1;
        }

        long within = offset - l.Starts[i];
        int n = (int)Math.Min(destination.Length, l.Lengths[i] - within);
        return n <= 0 ? 0 : l.Sources[i].Read(l.Offsets[i] + within, destination[..n]);
    }

    protected override void Dispose(bool disposing)
    {
        foreach (DicomInstance file in files)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private Layout Build()
    {
        var starts = new List<long>();
        var lengths = new List<long>();
        var sources = new List<SlideSource>();
        var offsets = new List<long>();
        var fileBase = new long[files.Length];
        long at = 0;
        for (int f = 0; f < files.Length; f++)
        {
            fileBase[f] = at;
            Add(at, files[f].Source.Length, files[f].Source, 0);
            at += files[f].Source.Length;
        }

        var pieces = new ByteRange[files.Length][];
        for (int f = 0; f < files.Length; f++)
        {
            List<ByteRange[]> split = files[f].Frames.Pieces;
            pieces[f] = new ByteRange[split.Count];
            for (int p = 0; p < split.Count; p++)
            {
                long start = at;
                foreach (ByteRange fragment in split[p])
                {
                    Add(at, fragment.Length, files[f].Source, fragment.Offset);
                    at += fragment.Length;
                }

                long length = at - start;
                pieces[f][p] = new ByteRange(start, length > int.MaxValue ? int.MaxValue : (int)length);
            }
        }

        return new Layout([.. starts], [.. lengths], [.. sources], [.. offsets], fileBase, pieces, at);

        void Add(long start, long length, SlideSource source, long offset)
        {
            if (length <= 0)
            {
                return;
            }

            starts.Add(start);
            lengths.Add(length);
            sources.Add(source);
            offsets.Add(offset);
        }
    }

    private sealed record Layout(long[] Starts, long[] Lengths, SlideSource[] Sources, long[] Offsets, long[] FileBase, ByteRange[][] Pieces, long Length);
}
