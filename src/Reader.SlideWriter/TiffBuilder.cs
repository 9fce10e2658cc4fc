using System.Buffers.Binary;
using System.Text;

namespace Reader.SlideWriter;

/// <summary>One directory entry to write: values are integers, raw bytes or ASCII.</summary>
public sealed class TiffField
{
    private TiffField(ushort tag, ushort type, ulong[]? integers, byte[]? bytes)
    {
        Tag = tag;
        Type = type;
        Integers = integers;
        Bytes = bytes;
    }

    public ushort Tag { get; }

    /// <summary>TIFF field type: 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 7 UNDEFINED, 16 LONG8.</summary>
    public ushort Type { get; }

    public ulong[]? Integers { get; }

    public byte[]? Bytes { get; }

    public static TiffField Shorts(ushort tag, params ulong[] values) => new(tag, 3, values, null);

    public static TiffField Longs(ushort tag, params ulong[] values) => new(tag, 4, values, null);

    public static TiffField Long8s(ushort tag, params ulong[] values) => new(tag, 16, values, null);

    /// <summary>LONG in classic TIFF, LONG8 in BigTIFF (offsets and byte counts).</summary>
    public static TiffField Offsets(ushort tag, bool bigTiff, params ulong[] values) => new(tag, bigTiff ? (ushort)16 : (ushort)4, values, null);

    public static TiffField Rational(ushort tag, uint numerator, uint denominator) => new(tag, 5, [numerator, denominator], null);

    public static TiffField Ascii(ushort tag, string value) => new(tag, 2, null, [.. Encoding.UTF8.GetBytes(value), 0]);

    public static TiffField Undefined(ushort tag, byte[] value) => new(tag, 7, null, value);

    internal int ElementSize => Type switch
    {
        1 or 2 or 7 => 1,
        3 => 2,
        4 => 4,
        _ => 8,
    };

    internal ulong Count => Bytes is not null ? (ulong)Bytes.Length : Type == 5 ? (ulong)Integers!.Length / 2 : (ulong)Integers!.Length;

    internal byte[] Encode(bool bigEndian)
    {
        if (Bytes is not null)
        {
            return Bytes;
        }

        int size = Type == 5 ? 4 : ElementSize;
        var data = new byte[Integers!.Length * size];
        for (int i = 0; i < Integers.Length; i++)
        {
            Span<byte> s = data.AsSpan(i * size, size);
            ulong v = Integers[i];
            switch (size)
            {
                case 2:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)v);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v);
                    }

                    break;
                case 4:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(s, (uint)v);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)v);
                    }

                    break;
                default:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt64BigEndian(s, v);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(s, v);
                    }

                    break;
            }
        }

        return data;
    }
}

/// <summary>
/// Writes a TIFF or BigTIFF of either byte order: image data first, streamed, then the
/// directories (with their out-of-line values), chained, SubIFDs included.
/// </summary>
public sealed class TiffBuilder : IDisposable
{
    private readonly Stream stream;
    private readonly List<(List<TiffField> Fields, List<List<TiffField>> SubIfds)> directories = [];

    public TiffBuilder(Stream stream, bool bigTiff, bool bigEndian)
    {
        this.stream = stream;
        BigTiff = bigTiff;
        BigEndian = bigEndian;
        Span<byte> header = stackalloc byte[16];
        header.Clear();
        header[0] = header[1] = bigEndian ? (byte)'M' : (byte)'I';
        WriteU16(header[2..], bigTiff ? (ushort)43 : (ushort)42);
        if (bigTiff)
        {
            WriteU16(header[4..], 8);
        }

        stream.Write(header[..(bigTiff ? 16 : 8)]);
    }

    public bool BigTiff { get; }

    public bool BigEndian { get; }

    /// <summary>Appends image data; returns its offset.</summary>
    public long WriteData(ReadOnlySpan<byte> data)
    {
        long offset = stream.Position;
        stream.Write(data);
        if ((stream.Position & 1) != 0)
        {
            stream.WriteByte(0); // keep the next offset on a word boundary, as the spec asks
        }

        if (!BigTiff && stream.Position > uint.MaxValue)
        {
            throw new InvalidOperationException("classic TIFF passed 4 GiB; write BigTIFF");
        }

        return offset;
    }

    /// <summary>Adds a directory to the main chain; <paramref name="subIfds"/> become its SubIFDs.</summary>
    public void AddDirectory(List<TiffField> fields, List<List<TiffField>>? subIfds = null)
    {
        directories.Add((fields, subIfds ?? []));
    }

    /// <summary>Writes every directory and links them from the header.</summary>
    public void Finish()
    {
        long previousNextPointer = BigTiff ? 8 : 4;
        foreach ((List<TiffField> fields, List<List<TiffField>> subIfds) in directories)
        {
            var subOffsets = new List<ulong>();
            foreach (List<TiffField> sub in subIfds)
            {
                subOffsets.Add((ulong)WriteDirectory(sub, out _));
            }

            var all = new List<TiffField>(fields);
            if (subOffsets.Count > 0)
            {
                all.Add(BigTiff ? TiffField.Long8s(330, [.. subOffsets]) : TiffField.Longs(330, [.. subOffsets]));
            }

            long offset = WriteDirectory(all, out long nextPointer);
            Patch(previousNextPointer, offset);
            previousNextPointer = nextPointer;
        }

        stream.Flush();
    }

    public void Dispose() => stream.Dispose();

    private long WriteDirectory(List<TiffField> fields, out long nextPointerPosition)
    {
        fields.Sort((a, b) => a.Tag.CompareTo(b.Tag));
        int inlineCapacity = BigTiff ? 8 : 4;

        // Out-of-line values first, so the directory itself can point at them.
        var valueOffsets = new long[fields.Count];
        var encoded = new byte[fields.Count][];
        for (int i = 0; i < fields.Count; i++)
        {
            encoded[i] = fields[i].Encode(BigEndian);
            if (encoded[i].Length > inlineCapacity)
            {
                valueOffsets[i] = WriteData(encoded[i]);
            }
        }

        long offset = stream.Position;
        int entrySize = BigTiff ? 20 : 12;
        var block = new byte[(BigTiff ? 8 : 2) + (fields.Count * entrySize) + (BigTiff ? 8 : 4)];
        if (BigTiff)
        {
            WriteU64(block, (ulong)fields.Count);
        }
        else
        {
            WriteU16(block, (ushort)fields.Count);
        }

        int p = BigTiff ? 8 : 2;
        for (int i = 0; i < fields.Count; i++)
        {
            TiffField f = fields[i];
            Span<byte> e = block.AsSpan(p, entrySize);
            WriteU16(e, f.Tag);
            WriteU16(e[2..], f.Type);
            if (BigTiff)
            {
                WriteU64(e[4..], f.Count);
            }
            else
            {
                WriteU32(e[4..], (uint)f.Count);
            }

            Span<byte> value = e[(BigTiff ? 12 : 8)..];
            if (encoded[i].Length > inlineCapacity)
            {
                if (BigTiff)
                {
                    WriteU64(value, (ulong)valueOffsets[i]);
                }
                else
                {
                    WriteU32(value, (uint)valueOffsets[i]);
                }
            }
            else
            {
                encoded[i].CopyTo(value);
            }

            p += entrySize;
        }

        nextPointerPosition = offset + p;
        WriteData(block);
        return offset;
    }

    private void Patch(long position, long value)
    {
        long end = stream.Position;
        stream.Position = position;
        Span<byte> b = stackalloc byte[8];
        if (BigTiff)
        {
            WriteU64(b, (ulong)value);
            stream.Write(b);
        }
        else
        {
            WriteU32(b, (uint)value);
            stream.Write(b[..4]);
        }

        stream.Position = end;
    }

    private void WriteU16(Span<byte> s, ushort v)
    {
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        }
    }

    private void WriteU32(Span<byte> s, uint v)
    {
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        }
    }

    private void WriteU64(Span<byte> s, ulong v)
    {
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s, v);
        }
    }
}
