using System.Buffers.Binary;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// A strict reader of DICOM data sets (PS3.5 section 7): explicit or implicit VR little endian, defined and undefined
/// lengths, sequences of items with delimiters, encapsulated values skipped by their fragments. Every length is
/// checked against the enclosing item and the file before anything is read or allocated; kept values count against
/// <see cref="SlideLimits.MaxMetadataBytes"/>; nesting is bounded by <see cref="MaxDepth"/>. In scan mode it keeps
/// nothing and reports each plane position (column, row) of a per-frame functional group instead.
/// </summary>
internal sealed class DicomParser
{
    /// <summary>Deepest sequence nesting accepted (WSI files nest four or five deep).</summary>
    public const int MaxDepth = 32;

    /// <summary>The undefined length (PS3.5 7.1.1).</summary>
    public const uint UndefinedLength = 0xFFFFFFFF;

    /// <summary>What each element, item and sequence costs against the metadata limit besides its value bytes.</summary>
    private const int ElementCost = 64;

    private const string HeaderWhat = "data element header";
    private readonly DicomCursor cursor;
    private readonly SlideLimits limits;
    private long budget;
    private PlanePositionScan? scan;

    public DicomParser(DicomCursor cursor, SlideLimits limits)
    {
        this.cursor = cursor;
        this.limits = limits;
        budget = limits.MaxMetadataBytes;
    }

    /// <summary>Top-level tags the metadata read stops before (as OpenSlide's DICOM library does): the bulky tail of the file.</summary>
    public static bool IsMetadataStop(uint tag) => tag is DicomTags.ReferencedImageNavigationSequence or DicomTags.PerFrameFunctionalGroupsSequence
        or DicomTags.ExtendedOffsetTable or DicomTags.PixelData or DicomTags.FloatPixelData or DicomTags.DoubleFloatPixelData;

    /// <summary>Reads one element header at the cursor.</summary>
    public Header ReadHeader(bool implicitVr)
    {
        long start = cursor.Position;
        ReadOnlySpan<byte> h = cursor.Take(8, HeaderWhat);
        uint tag = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(h) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(h[2..]);
        if (tag >> 16 == 0xFFFE)
        {
            return new Header(tag, DicomVr.None, BinaryPrimitives.ReadUInt32LittleEndian(h[4..]), start);
        }

        if (implicitVr)
        {
            return new Header(tag, DicomDictionary.Vr(tag), BinaryPrimitives.ReadUInt32LittleEndian(h[4..]), start);
        }

        DicomVr vr = DicomVrs.FromBytes(h[4], h[5]);
        if (vr == DicomVr.None)
        {
            throw Corrupt(start, $"element {DicomTags.Name(tag)} has no valid VR (bytes {h[4]:X2} {h[5]:X2})");
        }

        if (!DicomVrs.HasLongLength(vr))
        {
            return new Header(tag, vr, BinaryPrimitives.ReadUInt16LittleEndian(h[6..]), start);
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(h[6..]) != 0)
        {
            throw Corrupt(start, $"element {DicomTags.Name(tag)} ({vr}) has non-zero reserved bytes");
        }

        return new Header(tag, vr, cursor.UInt32(HeaderWhat), start);
    }

    /// <summary>The tag at the cursor, without moving it.</summary>
    public uint PeekTag()
    {
        long at = cursor.Position;
        ReadOnlySpan<byte> t = cursor.Take(4, HeaderWhat);
        cursor.Position = at;
        return ((uint)BinaryPrimitives.ReadUInt16LittleEndian(t) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(t[2..]);
    }

    /// <summary>The file meta information (group 0002, always explicit VR little endian) after the preamble and "DICM".</summary>
    public DicomDataSet ReadFileMeta()
    {
        var set = new DicomDataSet();
        while (cursor.Remaining >= 2)
        {
            long at = cursor.Position;
            if (cursor.UInt16(HeaderWhat) != 0x0002)
            {
                cursor.Position = at;
                break;
            }

            cursor.Position = at;
            Header h = ReadHeader(implicitVr: false);
            if (ReadElement(h, implicitVr: false, depth: 0, end: -1) is { } e)
            {
                set.Elements.Add(e);
            }
        }

        return set;
    }

    /// <summary>The main data set up to (not including) the first metadata stop tag, which <paramref name="stopTag"/> names (0 at the end of the file).</summary>
    public DicomDataSet ReadMetadata(bool implicitVr, out uint stopTag) => ReadDataSet(implicitVr, -1, 0, topLevel: true, out stopTag)!;

    /// <summary>Skips the element whose header was just read (any VR, sequences and encapsulated values included).</summary>
    public void SkipElement(Header h, bool implicitVr)
    {
        PlanePositionScan? saved = scan;
        scan ??= new PlanePositionScan(null);
        try
        {
            ReadElement(h, implicitVr, 0, -1);
        }
        finally
        {
            scan = saved;
        }
    }

    /// <summary>Walks a per-frame functional groups sequence (header just read), reporting each plane position.</summary>
    public void ScanPlanePositions(Header h, bool implicitVr, Action<int, int> position)
    {
        scan = new PlanePositionScan(position);
        try
        {
            ReadElement(h, implicitVr, 0, -1);
        }
        finally
        {
            scan = null;
        }
    }

    private DicomDataSet? ReadDataSet(bool implicitVr, long end, int depth, bool topLevel, out uint stopTag)
    {
        stopTag = 0;
        DicomDataSet? set = scan is null ? new DicomDataSet() : null;
        while (true)
        {
            if (end >= 0)
            {
                if (cursor.Position == end)
                {
                    break;
                }

                if (cursor.Position > end)
                {
                    throw Corrupt(cursor.Position, $"an element runs {cursor.Position - end} bytes past the end of its item");
                }
            }
            else if (topLevel && cursor.Remaining == 0)
            {
                break;
            }

            Header h = ReadHeader(implicitVr);
            if (h.Tag == DicomTags.ItemDelimitation)
            {
                if (!topLevel && end < 0)
                {
                    break;
                }

                throw Corrupt(h.Start, "item delimiter outside an item of undefined length");
            }

            if (h.Tag >> 16 == 0xFFFE)
            {
                throw Corrupt(h.Start, $"{DicomTags.Name(h.Tag)} where a data element was expected");
            }

            if (topLevel && IsMetadataStop(h.Tag))
            {
                cursor.Position = h.Start;
                stopTag = h.Tag;
                break;
            }

            if (ReadElement(h, implicitVr, depth, end) is { } e)
            {
                set!.Elements.Add(e);
            }
        }

        return set;
    }

    private DicomElement? ReadElement(Header h, bool implicitVr, int depth, long end)
    {
        bool undefined = h.Length == UndefinedLength;
        if (h.Vr == DicomVr.SQ || (undefined && (h.Vr == DicomVr.UN || (implicitVr && h.Vr is not (DicomVr.OB or DicomVr.OW)))))
        {
            // An undefined-length UN holds an implicit-VR sequence (PS3.5 6.2.2).
            List<DicomDataSet>? items = ReadSequence(h, implicitVr || h.Vr == DicomVr.UN, depth + 1, end);
            return items is null ? null : new DicomElement(h.Tag, DicomVr.SQ, null, items);
        }

        if (undefined)
        {
            if (h.Vr is DicomVr.OB or DicomVr.OW)
            {
                SkipFragments(h);
                return scan is null ? new DicomElement(h.Tag, h.Vr, null, null) : null;
            }

            throw Corrupt(h.Start, $"element {DicomTags.Name(h.Tag)} ({h.Vr}) has an undefined length");
        }

        if ((end >= 0 && h.Length > end - cursor.Position) || h.Length > cursor.Remaining)
        {
            throw Corrupt(h.Start, $"element {DicomTags.Name(h.Tag)} claims {h.Length} bytes, past the end of its {(end >= 0 ? "item" : "file")}");
        }

        int size = DicomVrs.SizeOf(h.Vr);
        if (size > 0 && h.Length % size != 0)
        {
            throw Corrupt(h.Start, $"element {DicomTags.Name(h.Tag)} ({h.Vr}) has length {h.Length}, not a multiple of {size}");
        }

        if (scan is not null)
        {
            if (h.Vr == DicomVr.SL && h.Length == 4 && h.Tag is DicomTags.ColumnPositionInTotalImagePixelMatrix or DicomTags.RowPositionInTotalImagePixelMatrix)
            {
                scan.Set(h.Tag, BinaryPrimitives.ReadInt32LittleEndian(cursor.Take(4, "plane position")));
            }
            else
            {
                cursor.Skip(h.Length, "data element value");
            }

            return null;
        }

        Charge(ElementCost, h.Start);
        if (DicomVrs.ClassOf(h.Vr) == DicomVrClass.Binary && h.Tag != DicomTags.IccProfile)
        {
            cursor.Skip(h.Length, "data element value");
            return new DicomElement(h.Tag, h.Vr, null, null);
        }

        Charge(h.Length, h.Start);
        return new DicomElement(h.Tag, h.Vr, cursor.Bytes((int)h.Length, "data element value"), null);
    }

    private List<DicomDataSet>? ReadSequence(Header h, bool implicitVr, int depth, long parentEnd)
    {
        if (depth > MaxDepth)
        {
            throw Corrupt(h.Start, $"sequences nest deeper than {MaxDepth} levels");
        }

        long end = -1;
        if (h.Length != UndefinedLength)
        {
            if ((parentEnd >= 0 && h.Length > parentEnd - cursor.Position) || h.Length > cursor.Remaining)
            {
                throw Corrupt(h.Start, $"sequence {DicomTags.Name(h.Tag)} claims {h.Length} bytes, past the end of its {(parentEnd >= 0 ? "item" : "file")}");
            }

            end = cursor.Position + h.Length;
        }

        bool planePosition = scan is not null && h.Tag == DicomTags.PlanePositionSlideSequence;
        if (planePosition)
        {
            scan!.Begin();
        }

        List<DicomDataSet>? items = scan is null ? [] : null;
        if (items is not null)
        {
            Charge(ElementCost, h.Start);
        }

        while (true)
        {
            if (end >= 0)
            {
                if (cursor.Position == end)
                {
                    break;
                }

                if (cursor.Position > end)
                {
                    throw Corrupt(cursor.Position, $"an item runs past the end of sequence {DicomTags.Name(h.Tag)}");
                }
            }

            uint next = PeekTag();
            if (next >> 16 != 0xFFFE)
            {
                throw Corrupt(cursor.Position, $"{DicomTags.Name(next)} where an item of sequence {DicomTags.Name(h.Tag)} was expected");
            }

            Header item = ReadHeader(implicitVr);
            if (item.Tag == DicomTags.SequenceDelimitation)
            {
                if (end < 0)
                {
                    break;
                }

                throw Corrupt(item.Start, $"sequence delimiter inside sequence {DicomTags.Name(h.Tag)} of defined length");
            }

            if (item.Tag != DicomTags.Item)
            {
                throw Corrupt(item.Start, $"{DicomTags.Name(item.Tag)} where an item of sequence {DicomTags.Name(h.Tag)} was expected");
            }

            long itemEnd = -1;
            if (item.Length != UndefinedLength)
            {
                long limit = end >= 0 ? end : cursor.Length;
                if (item.Length > limit - cursor.Position)
                {
                    throw Corrupt(item.Start, $"an item of {item.Length} bytes runs past the end of sequence {DicomTags.Name(h.Tag)}");
                }

                itemEnd = cursor.Position + item.Length;
            }

            if (items is not null)
            {
                Charge(ElementCost, item.Start);
            }

            DicomDataSet? set = ReadDataSet(implicitVr, itemEnd, depth, topLevel: false, out _);
            items?.Add(set!);
        }

        if (planePosition)
        {
            scan!.End();
        }

        return items;
    }

    /// <summary>Skips an encapsulated value (items of fragments up to the sequence delimiter).</summary>
    private void SkipFragments(Header h)
    {
        while (true)
        {
            if (PeekTag() >> 16 != 0xFFFE)
            {
                throw Corrupt(cursor.Position, $"{DicomTags.Name(PeekTag())} inside the encapsulated value of {DicomTags.Name(h.Tag)}");
            }

            Header item = ReadHeader(implicitVr: false);
            if (item.Tag == DicomTags.SequenceDelimitation)
            {
                return;
            }

            if (item.Tag != DicomTags.Item || item.Length == UndefinedLength)
            {
                throw Corrupt(item.Start, $"{DicomTags.Name(item.Tag)} inside the encapsulated value of {DicomTags.Name(h.Tag)}");
            }

            cursor.Skip(item.Length, "fragment");
        }
    }

    private void Charge(long bytes, long at)
    {
        budget -= bytes;
        if (budget < 0)
        {
            throw new SlideLimitException(cursor.Path, $"metadata at offset {at}", $"data elements exceed the limit of {limits.MaxMetadataBytes} bytes of metadata");
        }
    }

    private CorruptSlideException Corrupt(long offset, string what) => new(cursor.Path, $"offset {offset}", what);

    /// <summary>An element header: tag, VR (None for items and delimiters), length (<see cref="UndefinedLength"/> or bytes) and where it starts.</summary>
    public readonly record struct Header(uint Tag, DicomVr Vr, uint Length, long Start);

    /// <summary>libdicom's plane-position bookkeeping: positions reset when a plane position sequence begins, reported when it ends with both.</summary>
    private sealed class PlanePositionScan(Action<int, int>? report)
    {
        private int? column;
        private int? row;

        public void Begin() => column = row = null;

        public void Set(uint tag, int value)
        {
            if (tag == DicomTags.ColumnPositionInTotalImagePixelMatrix)
            {
                column = value;
            }
            else
            {
                row = value;
            }
        }

        public void End()
        {
            if (column is { } c && row is { } r)
            {
                report?.Invoke(c, r);
            }
        }
    }
}
