using System.Buffers.Binary;

namespace Reader.Tests.Hostile;

/// <summary>
/// Byte-level surgery on a TIFF or BigTIFF of either byte order, written independently of the
/// reader: find directories and entries, rewrite types, counts, values, array elements and links.
/// </summary>
internal sealed class TiffEditor
{
    public TiffEditor(byte[] bytes)
    {
        Bytes = bytes;
        BigEndian = bytes[0] == (byte)'M';
        BigTiff = U16(2) == 43;
        long offset = BigTiff ? (long)U64(8) : U32(4);
        var seen = new HashSet<long>();
        while (offset != 0 && offset < bytes.Length && seen.Add(offset))
        {
            var ifd = new Ifd(offset);
            long count = BigTiff ? (long)U64(offset) : U16(offset);
            int entrySize = BigTiff ? 20 : 12;
            long first = offset + (BigTiff ? 8 : 2);
            for (long i = 0; i < count; i++)
            {
                long at = first + (i * entrySize);
                ifd.Entries.Add(new Entry(at, U16(at), U16(at + 2), BigTiff ? (long)U64(at + 4) : U32(at + 4), at + (BigTiff ? 12 : 8)));
            }

            ifd.NextPointer = first + (count * entrySize);
            Directories.Add(ifd);
            offset = BigTiff ? (long)U64(ifd.NextPointer) : U32(ifd.NextPointer);
        }
    }

    public byte[] Bytes { get; }

    public bool BigEndian { get; }

    public bool BigTiff { get; }

    public List<Ifd> Directories { get; } = [];

    public int OffsetSize => BigTiff ? 8 : 4;

    public Entry Find(int ifd, ushort tag) => Directories[ifd].Entries.First(e => e.Tag == tag);

    public bool Has(int ifd, ushort tag) => Directories[ifd].Entries.Any(e => e.Tag == tag);

    /// <summary>Where the values of an entry start (inline field or the offset it holds).</summary>
    public long ValuePosition(Entry e)
    {
        int size = TypeSize(e.Type);
        return size * e.Count <= OffsetSize ? e.ValueField : (long)ReadOffset(e.ValueField);
    }

    public ulong ReadElement(Entry e, long index)
    {
        int size = TypeSize(e.Type);
        long at = ValuePosition(e) + (index * size);
        return size switch { 2 => U16(at), 4 => U32(at), 8 => U64(at), _ => Bytes[at] };
    }

    public void WriteElement(Entry e, long index, ulong value)
    {
        int size = TypeSize(e.Type);
        long at = ValuePosition(e) + (index * size);
        Write(at, size, value);
    }

    public void SetType(Entry e, ushort type) => Write(e.Position + 2, 2, type);

    public void SetCount(Entry e, ulong count) => Write(e.Position + 4, BigTiff ? 8 : 4, count);

    /// <summary>Sets an inline scalar (SHORT or LONG value that fits the field).</summary>
    public void SetScalar(int ifd, ushort tag, ulong value)
    {
        Entry e = Find(ifd, tag);
        Write(e.ValueField, TypeSize(e.Type), value);
    }

    /// <summary>Turns an entry into an unknown tag, which readers skip: "removes" it in place.</summary>
    public void Remove(int ifd, ushort tag) => Write(Find(ifd, tag).Position, 2, 65000 + (ulong)tag % 500);

    public void SetFirstDirectory(ulong offset) => Write(BigTiff ? 8 : 4, OffsetSize, offset);

    public void SetNext(int ifd, ulong offset) => Write(Directories[ifd].NextPointer, OffsetSize, offset);

    public void SetDirectoryCount(int ifd, ulong count) => Write(Directories[ifd].Offset, BigTiff ? 8 : 2, count);

    public (long Offset, long Length) Tile(int ifd, long index) =>
        ((long)ReadElement(Find(ifd, 324), index), (long)ReadElement(Find(ifd, 325), index));

    public static int TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        _ => 8,
    };

    public ulong ReadOffset(long at) => BigTiff ? U64(at) : U32(at);

    public void Write(long at, int size, ulong value)
    {
        Span<byte> s = Bytes.AsSpan((int)at, size);
        switch (size)
        {
            case 1: s[0] = (byte)value; break;
            case 2: if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)value); else BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)value); break;
            case 4: if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(s, (uint)value); else BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)value); break;
            default: if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(s, value); else BinaryPrimitives.WriteUInt64LittleEndian(s, value); break;
        }
    }

    private ushort U16(long at) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan((int)at));

    private uint U32(long at) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan((int)at));

    private ulong U64(long at) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(Bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan((int)at));

    public sealed record Entry(long Position, ushort Tag, ushort Type, long Count, long ValueField);

    public sealed class Ifd(long offset)
    {
        public long Offset { get; } = offset;

        public List<Entry> Entries { get; } = [];

        public long NextPointer { get; set; }
    }
}
