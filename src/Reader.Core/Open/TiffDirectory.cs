using System.Buffers.Binary;
using System.Text;

namespace Reader.Core.Open;

/// <summary>One image file directory: its entries sorted by tag, and typed access to their values.</summary>
internal sealed class TiffDirectory
{
    private readonly TiffEntry[] entries;

    public TiffDirectory(TiffContainer container, string name, long offset, TiffEntry[] entries, long nextOffset)
    {
        Container = container;
        Name = name;
        Offset = offset;
        this.entries = entries;
        NextOffset = nextOffset;
    }

    public TiffContainer Container { get; }

    /// <summary>"IFD 3" or "IFD 0 SubIFD 1": how messages name this directory.</summary>
    public string Name { get; }

    public long Offset { get; }

    public long NextOffset { get; }

    public List<TiffDirectory> SubDirectories { get; } = [];

    public IReadOnlyList<TiffEntry> Entries => entries;

    public bool Has(ushort tag) => Find(tag, out _);

    public bool Find(ushort tag, out TiffEntry entry)
    {
        int lo = 0, hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ushort t = entries[mid].Tag;
            if (t == tag)
            {
                entry = entries[mid];
                return true;
            }

            if (t < tag)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        entry = default;
        return false;
    }

    /// <summary>The first value of an integer tag, or <paramref name="fallback"/> when absent.</summary>
    public ulong GetInteger(ushort tag, ulong fallback)
    {
        return Find(tag, out TiffEntry e) && e.Count > 0 ? ReadIntegers(e, 1)[0] : fallback;
    }

    /// <summary>The first value of a required integer tag.</summary>
    public ulong GetRequiredInteger(ushort tag, string name)
    {
        if (!Find(tag, out TiffEntry e) || e.Count == 0)
        {
            throw new CorruptSlideException(Container.Path, Name, $"required tag {name} ({tag}) is missing");
        }

        return ReadIntegers(e, 1)[0];
    }

    /// <summary>All values of an integer tag (at most <paramref name="maxCount"/>), or null when absent.</summary>
    public ulong[]? GetIntegers(ushort tag, int maxCount)
    {
        if (!Find(tag, out TiffEntry e))
        {
            return null;
        }

        if (e.Count > (ulong)maxCount)
        {
            throw new CorruptSlideException(Container.Path, Name, $"tag {tag} has {e.Count} values, at most {maxCount} expected");
        }

        return ReadIntegers(e, (int)e.Count);
    }

    /// <summary>A rational (or float/double/integer) tag as a double, or null.</summary>
    public double? GetDouble(ushort tag)
    {
        if (!Find(tag, out TiffEntry e) || e.Count == 0)
        {
            return null;
        }

        byte[] raw = Container.ReadValueBytes(e, this, 8, 1);
        bool big = Container.IsBigEndian;
        switch (e.Type)
        {
            case TiffFieldType.Rational:
            {
                uint n = big ? BinaryPrimitives.ReadUInt32BigEndian(raw) : BinaryPrimitives.ReadUInt32LittleEndian(raw);
                uint d = big ? BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4)) : BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4));
                return d == 0 ? null : (double)n / d;
            }

            case TiffFieldType.SRational:
            {
                int n = big ? BinaryPrimitives.ReadInt32BigEndian(raw) : BinaryPrimitives.ReadInt32LittleEndian(raw);
                int d = big ? BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4)) : BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4));
                return d == 0 ? null : (double)n / d;
            }

            case TiffFieldType.Float:
                return big ? BinaryPrimitives.ReadSingleBigEndian(raw) : BinaryPrimitives.ReadSingleLittleEndian(raw);
            case TiffFieldType.Double:
                return big ? BinaryPrimitives.ReadDoubleBigEndian(raw) : BinaryPrimitives.ReadDoubleLittleEndian(raw);
            default:
                return TiffFieldTypes.IsUnsignedInteger(e.Type) ? ReadIntegers(e, 1)[0] : null;
        }
    }

    /// <summary>An ASCII tag up to its first NUL (as a C reader sees it), or null. Bytes are read as UTF-8 (lenient).</summary>
    public string? GetString(ushort tag)
    {
        byte[]? raw = GetStringBytes(tag);
        return raw is null ? null : Encoding.UTF8.GetString(raw);
    }

    /// <summary>The raw bytes of an ASCII tag up to its first NUL, or null.</summary>
    public byte[]? GetStringBytes(ushort tag)
    {
        if (!Find(tag, out TiffEntry e) || e.Count == 0)
        {
            return null;
        }

        if (e.Type is not (TiffFieldType.Ascii or TiffFieldType.Byte or TiffFieldType.Undefined))
        {
            return null;
        }

        byte[] raw = Container.ReadValueBytes(e, this, Container.Limits.MaxMetadataBytes, 1);
        int end = Array.IndexOf(raw, (byte)0);
        return end < 0 ? raw : raw[..end];
    }

    /// <summary>The raw bytes of a BYTE/UNDEFINED tag (JPEGTables, ICC profile), or null.</summary>
    public byte[]? GetBytes(ushort tag)
    {
        if (!Find(tag, out TiffEntry e) || e.Count == 0)
        {
            return null;
        }

        if (e.Type is not (TiffFieldType.Byte or TiffFieldType.Undefined or TiffFieldType.SByte))
        {
            throw new CorruptSlideException(Container.Path, Name, $"tag {tag} has type {e.Type}, expected BYTE or UNDEFINED");
        }

        return Container.ReadValueBytes(e, this, Container.Limits.MaxMetadataBytes, 1);
    }

    /// <summary>An integer array tag of which at most <paramref name="used"/> values will be read.</summary>
    public TiffArray GetArray(ushort tag, string name, long used)
    {
        if (!Find(tag, out TiffEntry e))
        {
            throw new CorruptSlideException(Container.Path, Name, $"required tag {name} ({tag}) is missing");
        }

        return TiffArray.Create(Container, this, e, name, used);
    }

    /// <summary>The declared value count of a tag (0 when absent).</summary>
    public ulong CountOf(ushort tag) => Find(tag, out TiffEntry e) ? e.Count : 0;

    private ulong[] ReadIntegers(TiffEntry e, int count)
    {
        if (!TiffFieldTypes.IsUnsignedInteger(e.Type) && e.Type is not (TiffFieldType.SShort or TiffFieldType.SLong or TiffFieldType.SLong8 or TiffFieldType.SByte))
        {
            throw new CorruptSlideException(Container.Path, Name, $"tag {e.Tag} has type {e.Type}, expected an integer type");
        }

        int size = TiffFieldTypes.SizeOf(e.Type);
        byte[] raw = Container.ReadValueBytes(e, this, count * size, count);
        var values = new ulong[count];
        bool big = Container.IsBigEndian;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> s = raw.AsSpan(i * size, size);
            values[i] = size switch
            {
                1 => s[0],
                2 => big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                4 => big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                _ => big ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s),
            };
        }

        return values;
    }
}
