using System.Buffers.Binary;

namespace Reader.Core.Open;

/// <summary>
/// An integer array of a directory (tile offsets, byte counts) read lazily a page at a time,
/// so opening a slide with a seed-size tile index costs a few reads, not megabytes.
/// Thread-safe: pages are immutable once published; a race only reads a page twice.
/// </summary>
internal sealed class TiffArray
{
    private const int PageShift = 10;
    private const int PageSize = 1 << PageShift;

    private readonly TiffContainer container;
    private readonly TiffFieldType type;
    private readonly int elementSize;
    private readonly long fileOffset;
    private readonly ulong[]? inlineValues;
    private readonly ulong[]?[] pages;
    private readonly string where;

    private TiffArray(TiffContainer container, TiffFieldType type, long count, long fileOffset, ulong[]? inlineValues, string where)
    {
        this.container = container;
        this.type = type;
        elementSize = TiffFieldTypes.SizeOf(type);
        Count = count;
        this.fileOffset = fileOffset;
        this.inlineValues = inlineValues;
        this.where = where;
        pages = inlineValues is null ? new ulong[]?[(count + PageSize - 1) >> PageShift] : [];
    }

    public long Count { get; }

    /// <summary>
    /// The array of <paramref name="entry"/>; only its first <paramref name="used"/> values are ever read
    /// (a count that lies high costs nothing, but the declared bytes must lie within the file).
    /// </summary>
    public static TiffArray Create(TiffContainer container, TiffDirectory directory, TiffEntry entry, string name, long used)
    {
        string where = $"{directory.Name} {name}";
        if (entry.Type is not (TiffFieldType.Short or TiffFieldType.Long or TiffFieldType.Long8 or TiffFieldType.Ifd or TiffFieldType.Ifd8))
        {
            throw new CorruptSlideException(container.Path, where, $"has type {entry.Type}, expected SHORT, LONG or LONG8");
        }

        if (entry.IsInline)
        {
            return new TiffArray(container, entry.Type, (long)entry.Count, 0, container.DecodeInlineIntegers(entry), where);
        }

        ulong end = entry.ValueField + entry.ByteLength;
        if (entry.ValueField > (ulong)container.Source.Length || end > (ulong)container.Source.Length || end < entry.ValueField)
        {
            throw new CorruptSlideException(container.Path, where, $"{entry.Count} values at offset {entry.ValueField} lie beyond the end of the file ({container.Source.Length} bytes)");
        }

        return new TiffArray(container, entry.Type, Math.Min((long)entry.Count, Math.Max(used, 0)), (long)entry.ValueField, null, where);
    }

    public ulong this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count)
            {
                throw new CorruptSlideException(container.Path, where, $"index {index} outside its {Count} values");
            }

            if (inlineValues is not null)
            {
                return inlineValues[index];
            }

            long pageIndex = index >> PageShift;
            ulong[] page = Volatile.Read(ref pages[pageIndex]) ?? LoadPage(pageIndex);
            return page[index & (PageSize - 1)];
        }
    }

    private ulong[] LoadPage(long pageIndex)
    {
        long first = pageIndex << PageShift;
        int n = (int)Math.Min(PageSize, Count - first);
        byte[] raw = new byte[n * elementSize];
        container.Source.ReadExactly(fileOffset + (first * elementSize), raw, where);
        var values = new ulong[n];
        bool big = container.IsBigEndian;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> s = raw.AsSpan(i * elementSize, elementSize);
            values[i] = elementSize switch
            {
                2 => big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                4 => big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                _ => big ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s),
            };
        }

        Volatile.Write(ref pages[pageIndex], values);
        return values;
    }
}
