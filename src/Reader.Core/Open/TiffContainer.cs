using System.Buffers.Binary;
using Reader.Core.Sources;

namespace Reader.Core.Open;

/// <summary>
/// A TIFF or BigTIFF file of either byte order: its header and every directory,
/// main chain and SubIFDs, walked with loop, bounds and count checks. Hamamatsu NDPI
/// files (classic TIFF whose offsets grow past 4 GiB) are read in NDPI mode: 64-bit
/// directory links and a 4-byte high half for every entry's value field, stored after
/// the directory, as OpenSlide reads them.
/// </summary>
internal sealed class TiffContainer
{
    private const int MaxSubIfdDepth = 4;

    private readonly List<TiffDirectory> all = [];
    private readonly HashSet<long> visited = [];

    private TiffContainer(SlideSource file, SlideLimits limits, bool bigEndian, bool bigTiff)
    {
        Source = file;
        Limits = limits;
        IsBigEndian = bigEndian;
        IsBigTiff = bigTiff;
    }

    /// <summary>True for Hamamatsu NDPI's 64-bit extension of classic TIFF.</summary>
    public bool IsNdpi { get; private set; }

    public SlideSource Source { get; }

    public string Path => Source.Name;

    public SlideLimits Limits { get; }

    public bool IsBigEndian { get; }

    public bool IsBigTiff { get; }

    /// <summary>The main IFD chain, in file order.</summary>
    public List<TiffDirectory> Directories { get; } = [];

    /// <summary>Every directory, SubIFDs included, in the order they were read.</summary>
    public IReadOnlyList<TiffDirectory> AllDirectories => all;

    /// <summary>True when the first bytes are a TIFF or BigTIFF header.</summary>
    public static bool HasTiffSignature(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4)
        {
            return false;
        }

        bool little = head[0] == (byte)'I' && head[1] == (byte)'I';
        bool big = head[0] == (byte)'M' && head[1] == (byte)'M';
        if (!little && !big)
        {
            return false;
        }

        ushort magic = little ? BinaryPrimitives.ReadUInt16LittleEndian(head[2..]) : BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
        return magic is 42 or 43;
    }

    public static TiffContainer Read(SlideSource file, SlideLimits limits)
    {
        Span<byte> header = stackalloc byte[16];
        int n = file.Read(0, header);
        if (n < 8 || !HasTiffSignature(header[..n]))
        {
            throw new UnsupportedFormatException(file.Name, null, "not a TIFF file (no TIFF or BigTIFF signature)");
        }

        bool bigEndian = header[0] == (byte)'M';
        ushort magic = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(header[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        bool bigTiff = magic == 43;
        long first;
        if (bigTiff)
        {
            if (n < 16)
            {
                throw new CorruptSlideException(file.Name, "header", "BigTIFF header truncated");
            }

            ushort offsetSize = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(header[4..]) : BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            if (offsetSize != 8)
            {
                throw new CorruptSlideException(file.Name, "header", $"BigTIFF offset size {offsetSize}, expected 8");
            }

            ulong off = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(header[8..]) : BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            first = off > long.MaxValue ? -1 : (long)off;
        }
        else
        {
            first = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(header[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        }

        var container = new TiffContainer(file, limits, bigEndian, bigTiff);
        if (!bigTiff && n >= 12)
        {
            // NDPI: the first directory's offset read as 64 bits points at a directory, read the NDPI way, holding the NDPI tag.
            ulong wide = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(header[4..]) : BinaryPrimitives.ReadUInt64LittleEndian(header[4..]);
            if (wide is > 0 and < long.MaxValue && container.LooksLikeNdpi((long)wide))
            {
                container.IsNdpi = true;
                first = (long)wide;
            }
        }

        if (first == 0)
        {
            throw new CorruptSlideException(file.Name, "header", "the file has no image directory (first IFD offset is 0)");
        }

        container.WalkChain(first, null, null, 0, container.Directories);
        return container;
    }

    private void WalkChain(long offset, TiffDirectory? parent, string? subName, int depth, List<TiffDirectory> into)
    {
        int index = 0;
        while (offset != 0)
        {
            string name = parent is null
                ? $"IFD {index}"
                : index == 0 ? subName! : $"{subName}.{index}";
            if (offset < 0 || offset >= Source.Length)
            {
                throw new CorruptSlideException(Path, name, $"directory offset {offset} lies beyond the end of the file ({Source.Length} bytes)");
            }

            if (!visited.Add(offset))
            {
                if (parent is not null)
                {
                    // libtiff links SubIFDs into a chain and also lists each in the SubIFDs tag:
                    // a SubIFD reached twice is read once, and a cycle through SubIFDs just ends.
                    return;
                }

                throw new CorruptSlideException(Path, name, $"directory loop: offset {offset} was already read");
            }

            if (all.Count >= Limits.MaxDirectories)
            {
                throw new SlideLimitException(Path, name, $"more than {Limits.MaxDirectories} image directories");
            }

            TiffDirectory dir = ReadDirectory(offset, name);
            all.Add(dir);
            into.Add(dir);

            if (dir.Find(TiffTag.SubIfds, out TiffEntry sub) && sub.Count > 0)
            {
                if (depth >= MaxSubIfdDepth)
                {
                    throw new CorruptSlideException(Path, name, "SubIFDs nested too deeply");
                }

                ulong[] subOffsets = dir.GetIntegers(TiffTag.SubIfds, Limits.MaxDirectories) ?? [];
                for (int i = 0; i < subOffsets.Length; i++)
                {
                    ulong so = subOffsets[i];
                    WalkChain(so > long.MaxValue ? -1 : (long)so, dir, $"{name} SubIFD {i}", depth + 1, dir.SubDirectories);
                }
            }

            offset = dir.NextOffset;
            index++;
        }
    }

    private bool LooksLikeNdpi(long offset)
    {
        if (offset >= Source.Length)
        {
            return false;
        }

        IsNdpi = true;
        try
        {
            return ReadDirectory(offset, "IFD 0").Find(TiffTag.NdpiFormatFlag, out TiffEntry flag) && flag.Count > 0;
        }
        catch (SlideException)
        {
            return false;
        }
        finally
        {
            IsNdpi = false;
        }
    }

    private TiffDirectory ReadDirectory(long offset, string name)
    {
        int countSize = IsBigTiff ? 8 : 2;
        int entrySize = IsBigTiff ? 20 : 12;
        int nextSize = IsBigTiff || IsNdpi ? 8 : 4;

        Span<byte> countBytes = stackalloc byte[8];
        Source.ReadExactly(offset, countBytes[..countSize], name);
        ulong count = IsBigTiff
            ? (IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(countBytes) : BinaryPrimitives.ReadUInt64LittleEndian(countBytes))
            : (IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(countBytes) : BinaryPrimitives.ReadUInt16LittleEndian(countBytes));
        if (count == 0)
        {
            throw new CorruptSlideException(Path, name, "directory has no entries");
        }

        if (count > (ulong)Limits.MaxDirectoryEntries)
        {
            throw new CorruptSlideException(Path, name, $"directory claims {count} entries (limit {Limits.MaxDirectoryEntries})");
        }

        int extensionStart = ((int)count * entrySize) + nextSize;
        int bodyLength = extensionStart + (IsNdpi ? (int)count * 4 : 0);
        if (offset + countSize + bodyLength > Source.Length)
        {
            throw new CorruptSlideException(Path, name, $"directory of {count} entries at offset {offset} runs past the end of the file");
        }

        byte[] body = new byte[bodyLength];
        Source.ReadExactly(offset + countSize, body, name);

        var entries = new List<TiffEntry>((int)count);
        Span<byte> padded = stackalloc byte[8];
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> e = body.AsSpan(i * entrySize, entrySize);
            ushort tag = U16(e);
            var type = (TiffFieldType)U16(e[2..]);
            ulong n = IsBigTiff ? U64(e[4..]) : U32(e[4..]);
            int typeSize = TiffFieldTypes.SizeOf(type);
            if (typeSize == 0)
            {
                continue; // unknown field type: the TIFF spec says to skip the entry
            }

            int inlineCapacity = IsBigTiff ? 8 : 4;
            ReadOnlySpan<byte> valueField = IsBigTiff ? e.Slice(12, 8) : e.Slice(8, 4);
            bool inline = n <= (ulong)(inlineCapacity / typeSize) && !(IsNdpi && type == TiffFieldType.Ascii);
            ulong value;
            if (IsNdpi)
            {
                // The value field's high half lies after the directory; an inline LONG with a high half is a LONG8.
                ReadOnlySpan<byte> high = body.AsSpan(extensionStart + (i * 4), 4);
                uint highHalf = U32(high);
                if (inline && highHalf != 0)
                {
                    type = type switch
                    {
                        TiffFieldType.Long => TiffFieldType.Long8,
                        TiffFieldType.SLong => TiffFieldType.SLong8,
                        _ => throw new CorruptSlideException(Path, name, $"tag {tag}: NDPI high offset bits on an inline value of type {(int)type}"),
                    };
                }

                padded.Clear();
                valueField.CopyTo(padded);
                high.CopyTo(padded[4..]);
                value = inline ? BinaryPrimitives.ReadUInt64LittleEndian(padded) : U32(valueField) | ((ulong)highHalf << 32);
            }
            else if (inline)
            {
                padded.Clear();
                valueField.CopyTo(padded);
                value = BinaryPrimitives.ReadUInt64LittleEndian(padded); // raw bytes, decoded by type later
            }
            else
            {
                value = IsBigTiff ? U64(valueField) : U32(valueField);
            }

            entries.Add(new TiffEntry(tag, type, n, value, inline));
        }

        // The spec wants ascending tags; many writers disagree. Sort, keep the first of duplicates.
        entries.Sort((a, b) => a.Tag.CompareTo(b.Tag));
        var unique = new List<TiffEntry>(entries.Count);
        foreach (TiffEntry entry in entries)
        {
            if (unique.Count == 0 || unique[^1].Tag != entry.Tag)
            {
                unique.Add(entry);
            }
        }

        ReadOnlySpan<byte> next = body.AsSpan(extensionStart - nextSize, nextSize);
        ulong nextOffset = IsBigTiff || IsNdpi ? U64(next) : U32(next);
        long nextSigned = nextOffset > long.MaxValue ? -1 : (long)nextOffset;
        return new TiffDirectory(this, name, offset, [.. unique], nextSigned);
    }

    /// <summary>The raw bytes of an entry's value (at most <paramref name="maxBytes"/> bytes; checks file bounds).</summary>
    public byte[] ReadValueBytes(TiffEntry e, TiffDirectory dir, int maxBytes, int minCount)
    {
        int size = TiffFieldTypes.SizeOf(e.Type);
        if (e.Count < (ulong)minCount)
        {
            throw new CorruptSlideException(Path, dir.Name, $"tag {e.Tag} has {e.Count} values, at least {minCount} expected");
        }

        ulong total = e.ByteLength;
        if (total > (ulong)maxBytes)
        {
            if (e.Type is TiffFieldType.Ascii or TiffFieldType.Byte or TiffFieldType.Undefined && maxBytes == Limits.MaxMetadataBytes)
            {
                throw new SlideLimitException(Path, dir.Name, $"tag {e.Tag} holds {total} bytes, more than the {maxBytes}-byte metadata limit");
            }

            total = (ulong)(maxBytes / size * size);
        }

        var result = new byte[(int)total];
        if (e.IsInline)
        {
            Span<byte> raw = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(raw, e.ValueField);
            raw[..(int)total].CopyTo(result);
            return result;
        }

        if (e.ValueField >= (ulong)Source.Length || e.ValueField + total > (ulong)Source.Length)
        {
            throw new CorruptSlideException(Path, dir.Name, $"value of tag {e.Tag} ({e.ByteLength} bytes at offset {e.ValueField}) lies beyond the end of the file");
        }

        Source.ReadExactly((long)e.ValueField, result, dir.Name);
        return result;
    }

    public ulong[] DecodeInlineIntegers(TiffEntry e)
    {
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(raw, e.ValueField);
        int size = TiffFieldTypes.SizeOf(e.Type);
        var values = new ulong[(int)e.Count];
        for (int i = 0; i < values.Length; i++)
        {
            ReadOnlySpan<byte> s = raw.Slice(i * size, size);
            values[i] = size switch
            {
                1 => s[0],
                2 => U16(s),
                4 => U32(s),
                _ => U64(s),
            };
        }

        return values;
    }

    private ushort U16(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private uint U32(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private ulong U64(ReadOnlySpan<byte> s) => IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
}
