namespace Reader.Core.Open;

/// <summary>One directory entry as stored: tag, type, count and the value field (inline bytes or an offset).</summary>
internal readonly record struct TiffEntry(ushort Tag, TiffFieldType Type, ulong Count, ulong ValueField, bool IsInline)
{
    /// <summary>Total bytes of the value; saturates instead of overflowing for lying counts.</summary>
    public ulong ByteLength
    {
        get
        {
            ulong size = (ulong)TiffFieldTypes.SizeOf(Type);
            return Count > ulong.MaxValue / Math.Max(size, 1) ? ulong.MaxValue : Count * size;
        }
    }
}
