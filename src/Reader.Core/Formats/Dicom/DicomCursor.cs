using System.Buffers.Binary;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// Sequential reads through a DICOM file with a small read-ahead buffer. Every read is checked against the end of
/// the file first: a short file is a <see cref="CorruptSlideException"/> naming the offset and what was being read.
/// </summary>
internal sealed class DicomCursor(SlideSource source)
{
    private const int BufferSize = 64 << 10;
    private readonly byte[] buffer = new byte[BufferSize];
    private long bufferStart;
    private int bufferCount;

    public SlideSource Source { get; } = source;

    public string Path => Source.Name;

    public long Length { get; } = source.Length;

    public long Position { get; set; }

    /// <summary>Bytes read ahead on a buffer miss: large while reading metadata, small while hopping between fragment headers.</summary>
    public int ReadAhead { get; set; } = BufferSize;

    public long Remaining => Length - Position;

    /// <summary>The next <paramref name="count"/> bytes (at most 64 KiB), valid until the next read; the position moves past them.</summary>
    public ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Length - Position)
        {
            throw new CorruptSlideException(Path, what, $"the file ends at {Length} bytes, inside {count} bytes at offset {Position}");
        }

        if (Position < bufferStart || Position + count > bufferStart + bufferCount)
        {
            int fill = (int)Math.Min(Math.Max(count, ReadAhead), Length - Position);
            Source.ReadExactly(Position, buffer.AsSpan(0, fill), what);
            bufferStart = Position;
            bufferCount = fill;
        }

        ReadOnlySpan<byte> span = buffer.AsSpan((int)(Position - bufferStart), count);
        Position += count;
        return span;
    }

    public ushort UInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    /// <summary>A new array of the next <paramref name="count"/> bytes (the caller checked the count against its limits).</summary>
    public byte[] Bytes(int count, string what)
    {
        if (count > Length - Position)
        {
            throw new CorruptSlideException(Path, what, $"{count} bytes at offset {Position} run past the end of the file ({Length} bytes)");
        }

        var value = new byte[count];
        if (count <= BufferSize)
        {
            Take(count, what).CopyTo(value);
        }
        else
        {
            Source.ReadExactly(Position, value, what);
            Position += count;
        }

        return value;
    }

    /// <summary>Moves past <paramref name="count"/> bytes, which must lie inside the file.</summary>
    public void Skip(long count, string what)
    {
        if (count < 0 || count > Length - Position)
        {
            throw new CorruptSlideException(Path, what, $"{count} bytes at offset {Position} run past the end of the file ({Length} bytes)");
        }

        Position += count;
    }
}
