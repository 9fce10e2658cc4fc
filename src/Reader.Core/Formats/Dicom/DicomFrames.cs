using System.Buffers.Binary;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// Where an instance's frames lie and which frame is which tile. Native (uncompressed) frames follow each other in
/// the pixel data; encapsulated frames are located by the Extended Offset Table, else the Basic Offset Table, else
/// one fragment per frame (PS3.5 A.4); a frame of several fragments is kept as its list of pieces. Tiles map to
/// frames by position in the total pixel matrix (TILED_FULL, less ConcatenationFrameOffsetNumber) or by the per-frame
/// plane positions (TILED_SPARSE, or any per-frame positions inside the grid, as OpenSlide's DICOM library does).
/// A file cut short keeps the frames before the cut; reading a later one fails naming it.
/// </summary>
internal sealed class DicomFrames
{
    private const long Damaged = long.MinValue;
    private readonly string path;
    private readonly long nativeStart;
    private readonly int nativeLength;
    private readonly long[]? starts;
    private readonly int[]? lengths;
    private readonly int[]? tileFrames;
    private readonly bool sparse;
    private readonly long frameOffset;
    private readonly long tilesAcross;

    private DicomFrames(string path, long count, long tilesAcross, long frameOffset, bool sparse, int[]? tileFrames, long nativeStart, int nativeLength, long[]? starts, int[]? lengths, List<ByteRange[]> pieces)
    {
        this.path = path;
        Count = count;
        this.tilesAcross = tilesAcross;
        this.frameOffset = frameOffset;
        this.sparse = sparse;
        this.tileFrames = tileFrames;
        this.nativeStart = nativeStart;
        this.nativeLength = nativeLength;
        this.starts = starts;
        this.lengths = lengths;
        Pieces = pieces;
    }

    /// <summary>NumberOfFrames.</summary>
    public long Count { get; }

    /// <summary>The fragments of each frame made of several, by piece index.</summary>
    public List<ByteRange[]> Pieces { get; }

    /// <summary>The frame (0-based) holding tile (<paramref name="column"/>, <paramref name="row"/>), or -1 when the file has none for it.</summary>
    public long FrameAt(long column, long row)
    {
        long index = column + (row * tilesAcross);
        if (sparse)
        {
            return tileFrames is null ? -1 : tileFrames[index];
        }

        index -= frameOffset;
        return index >= 0 && index < Count ? index : -1;
    }

    /// <summary>
    /// Where frame <paramref name="frame"/>'s bytes lie: a range of the file (<paramref name="piece"/> -1), or piece
    /// <paramref name="piece"/> of <see cref="Pieces"/> (range unset). Throws for a frame past a truncation.
    /// </summary>
    public ByteRange Locate(long frame, out int piece)
    {
        piece = -1;
        if (starts is null)
        {
            return new ByteRange(nativeStart + (frame * nativeLength), nativeLength);
        }

        long start = starts[frame];
        if (start == Damaged)
        {
            throw new CorruptSlideException(path, $"frame {frame + 1}", "the frame lies past the end of the pixel data that could be read (the file is cut short or its fragments are damaged)");
        }

        if (start < 0)
        {
            piece = (int)~start;
            return default;
        }

        return new ByteRange(start, lengths![frame]);
    }

    /// <summary>Reads the frame table of <paramref name="instance"/> from its metadata stop (<paramref name="stopOffset"/>) to the pixel data.</summary>
    public static DicomFrames Read(DicomInstance instance, long stopOffset, SlideLimits limits)
    {
        string path = instance.Path;
        long count = instance.FrameCount;
        int tileWidth = instance.TileWidth, tileHeight = instance.TileHeight;
        if (tileWidth <= 0 || tileHeight <= 0 || instance.Width <= 0 || instance.Height <= 0)
        {
            throw new CorruptSlideException(path, null, $"frame size {tileWidth}x{tileHeight} or total pixel matrix {instance.Width}x{instance.Height} is empty");
        }

        long across = instance.TilesAcross, down = instance.TilesDown;
        long tiles = across * down;
        if (tiles > limits.MaxTilesPerLevel || count > limits.MaxTilesPerLevel)
        {
            throw new SlideLimitException(path, null, $"{Math.Max(tiles, count)} tiles or frames exceed the limit of {limits.MaxTilesPerLevel} per image");
        }

        // Each frame costs at least 8 bytes of the file (an item header), so counts come from the file, not the header.
        // No frames at all is a sparse image whose tiles are all missing.
        if (count < 0 || count > instance.Source.Length / 8)
        {
            throw new CorruptSlideException(path, null, $"NumberOfFrames '{instance.Metadata.String(DicomTags.NumberOfFrames)}' is not a count the file ({instance.Source.Length} bytes) can hold");
        }

        string? organization = instance.Metadata.String(DicomTags.DimensionOrganizationType);
        bool declaredSparse = organization is "TILED_SPARSE" or "3D";
        if (organization is not (null or "TILED_FULL") && !declaredSparse)
        {
            throw new UnsupportedFormatException(path, null, $"DimensionOrganizationType '{organization}' is not supported");
        }

        long frameOffset = instance.Metadata.Integer(DicomTags.ConcatenationFrameOffsetNumber) ?? 0;
        bool implicitVr = instance.ImplicitVr;
        var cursor = new DicomCursor(instance.Source) { Position = stopOffset };
        var parser = new DicomParser(cursor, limits);
        int[]? tileFrames = null;
        bool positioned = false;
        long[]? extended = null;
        DicomParser.Header pixelData;
        while (true)
        {
            if (cursor.Remaining == 0)
            {
                throw new CorruptSlideException(path, null, "no PixelData element");
            }

            DicomParser.Header h = parser.ReadHeader(implicitVr);
            if (h.Tag == DicomTags.PixelData)
            {
                pixelData = h;
                break;
            }

            switch (h.Tag)
            {
                case DicomTags.PerFrameFunctionalGroupsSequence:
                    int[] map = tileFrames = new int[tiles];
                    Array.Fill(map, -1);
                    int frameNumber = 0;
                    parser.ScanPlanePositions(h, implicitVr, (column, row) =>
                    {
                        if ((column - 1L) % tileWidth != 0 || (row - 1L) % tileHeight != 0)
                        {
                            throw new CorruptSlideException(path, $"frame {frameNumber + 1}", $"plane position ({column}, {row}) is not on a tile boundary of {tileWidth}x{tileHeight}");
                        }

                        long c = (column - 1L) / tileWidth, r = (row - 1L) / tileHeight;
                        if (c >= 0 && c < across && r >= 0 && r < down)
                        {
                            map[(r * across) + c] = frameNumber;
                            positioned = true;
                        }

                        frameNumber++;
                    });
                    break;
                case DicomTags.ExtendedOffsetTable when h.Length == count * 8 && h.Length <= cursor.Remaining:
                    ReadOnlySpan<byte> raw = cursor.Bytes((int)h.Length, "extended offset table");
                    extended = new long[count];
                    for (int i = 0; i < count; i++)
                    {
                        extended[i] = (long)BinaryPrimitives.ReadUInt64LittleEndian(raw[(i * 8)..]);
                    }

                    break;
                case DicomTags.FloatPixelData or DicomTags.DoubleFloatPixelData:
                    throw new UnsupportedFormatException(path, null, "floating-point pixel data is not supported");
                default:
                    parser.SkipElement(h, implicitVr);
                    break;
            }
        }

        bool sparse = declaredSparse || positioned;
        if (sparse && tileFrames is not null)
        {
            // Frames the file does not have cannot be tiles.
            for (long i = 0; i < tiles; i++)
            {
                if (tileFrames[i] >= count)
                {
                    tileFrames[i] = -1;
                }
            }
        }

        if (!instance.Encapsulated)
        {
            long frameBytes = (long)tileWidth * tileHeight * 3;
            if (frameBytes > int.MaxValue)
            {
                throw new SlideLimitException(path, null, $"frames of {frameBytes} bytes are too large");
            }

            if (pixelData.Length == DicomParser.UndefinedLength || count * frameBytes > pixelData.Length)
            {
                throw new CorruptSlideException(path, "pixel data", $"{count} frames of {frameBytes} bytes do not fit in native pixel data of {(pixelData.Length == DicomParser.UndefinedLength ? "undefined" : pixelData.Length)} length");
            }

            return new DicomFrames(path, count, across, frameOffset, sparse, tileFrames, cursor.Position, (int)frameBytes, null, null, []);
        }

        if (pixelData.Length != DicomParser.UndefinedLength)
        {
            throw new CorruptSlideException(path, "pixel data", "encapsulated pixel data must have undefined length");
        }

        return ReadEncapsulated(path, parser, cursor, count, extended, limits, frames => new DicomFrames(path, count, across, frameOffset, sparse, tileFrames, 0, 0, frames.Starts, frames.Lengths, frames.Pieces));
    }

    private static DicomFrames ReadEncapsulated(string path, DicomParser parser, DicomCursor cursor, long count, long[]? extended, SlideLimits limits, Func<(long[] Starts, int[] Lengths, List<ByteRange[]> Pieces), DicomFrames> make)
    {
        DicomParser.Header bot = parser.PeekTag() >> 16 == 0xFFFE ? parser.ReadHeader(implicitVr: false) : new(parser.PeekTag(), DicomVr.None, 0, cursor.Position);
        if (bot.Tag != DicomTags.Item || bot.Length == DicomParser.UndefinedLength || bot.Length % 4 != 0 || bot.Length > cursor.Remaining)
        {
            throw new CorruptSlideException(path, "basic offset table", $"expected the Basic Offset Table item, found {DicomTags.Name(bot.Tag)} of length {bot.Length}");
        }

        long[]? offsets = extended;
        if (offsets is null && bot.Length > 0)
        {
            if (bot.Length != count * 4)
            {
                throw new CorruptSlideException(path, "basic offset table", $"{bot.Length / 4} offsets for {count} frames");
            }

            ReadOnlySpan<byte> raw = cursor.Bytes((int)bot.Length, "basic offset table");
            offsets = new long[count];
            for (int i = 0; i < count; i++)
            {
                offsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw[(i * 4)..]);
            }
        }
        else
        {
            cursor.Skip(bot.Length, "basic offset table");
        }

        // Walk the fragment headers (a small read-ahead: the data between them is not read).
        long basis = cursor.Position;
        var fragmentStarts = new List<long>();
        var fragmentLengths = new List<int>();
        bool complete = false;
        cursor.ReadAhead = 16;
        while (cursor.Remaining >= 8)
        {
            if (parser.PeekTag() >> 16 != 0xFFFE)
            {
                throw new CorruptSlideException(path, $"fragment {fragmentStarts.Count + 1}", $"{DicomTags.Name(parser.PeekTag())} at offset {cursor.Position} where a fragment item was expected");
            }

            DicomParser.Header item = parser.ReadHeader(implicitVr: false);
            if (item.Tag == DicomTags.SequenceDelimitation)
            {
                complete = true;
                break;
            }

            if (item.Tag != DicomTags.Item || item.Length == DicomParser.UndefinedLength)
            {
                throw new CorruptSlideException(path, $"fragment {fragmentStarts.Count + 1}", $"{DicomTags.Name(item.Tag)} of length {item.Length} where a fragment item was expected");
            }

            if (item.Length > cursor.Remaining)
            {
                break; // cut short: the frames before this fragment stay readable
            }

            if (item.Length > int.MaxValue || fragmentStarts.Count >= limits.MaxTilesPerLevel)
            {
                throw new SlideLimitException(path, $"fragment {fragmentStarts.Count + 1}", $"a fragment of {item.Length} bytes or more than {limits.MaxTilesPerLevel} fragments");
            }

            fragmentStarts.Add(item.Start - basis);
            fragmentLengths.Add((int)item.Length);
            cursor.Skip(item.Length, "fragment");
        }

        long walked = cursor.Position - basis; // where the walk stopped, relative to the first fragment
        var starts = new long[count];
        var lengths = new int[count];
        var pieces = new List<ByteRange[]>();
        int fragments = fragmentStarts.Count;
        if (offsets is null)
        {
            if (complete && (count == 1 ? fragments < 1 : fragments != count))
            {
                throw new CorruptSlideException(path, "pixel data", $"{fragments} fragments for {count} frames, and no offset table");
            }

            for (int i = 0; i < count; i++)
            {
                if (i >= fragments)
                {
                    starts[i] = Damaged;
                }
                else if (count == 1 && fragments > 1)
                {
                    starts[i] = Piece(pieces, basis, fragmentStarts, fragmentLengths, 0, fragments);
                }
                else
                {
                    starts[i] = basis + fragmentStarts[i] + 8;
                    lengths[i] = fragmentLengths[i];
                }
            }

            return make((starts, lengths, pieces));
        }

        for (int i = 0; i < count; i++)
        {
            if (i > 0 && offsets[i] <= offsets[i - 1])
            {
                throw new CorruptSlideException(path, $"frame {i + 1}", $"offset table entry {offsets[i]} does not follow the previous one ({offsets[i - 1]})");
            }

            int first = fragmentStarts.BinarySearch(offsets[i]);
            if (first < 0)
            {
                bool beyond = !complete && ~first >= fragments;
                if (!beyond)
                {
                    throw new CorruptSlideException(path, $"frame {i + 1}", $"offset table entry {offsets[i]} does not point at a fragment");
                }

                starts[i] = Damaged;
                continue;
            }

            int end = first + 1;
            long next = i + 1 < count ? offsets[i + 1] : long.MaxValue;
            while (end < fragments && fragmentStarts[end] < next)
            {
                end++;
            }

            if (end == fragments && !complete && next > walked)
            {
                starts[i] = Damaged; // the frame may continue past the cut
            }
            else if (end - first == 1)
            {
                starts[i] = basis + fragmentStarts[first] + 8;
                lengths[i] = fragmentLengths[first];
            }
            else
            {
                starts[i] = Piece(pieces, basis, fragmentStarts, fragmentLengths, first, end);
            }
        }

        return make((starts, lengths, pieces));
    }

    private static long Piece(List<ByteRange[]> pieces, long basis, List<long> fragmentStarts, List<int> fragmentLengths, int first, int end)
    {
        var ranges = new ByteRange[end - first];
        for (int f = first; f < end; f++)
        {
            ranges[f - first] = new ByteRange(basis + fragmentStarts[f] + 8, fragmentLengths[f]);
        }

        pieces.Add(ranges);
        return ~(long)(pieces.Count - 1);
    }
}
