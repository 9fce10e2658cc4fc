using Reader.Core.Sources;

namespace Reader.Core.Formats.Ndpi;

/// <summary>
/// Where each restart interval of one NDPI level's JPEG starts: taken from the McuStarts tags when they point at
/// restart markers (each checked before first use), else found by scanning the entropy-coded data for RST markers,
/// only as far as the tile asked for and once per level (the scan's results are kept). Thread-safe.
/// </summary>
internal sealed class NdpiRestartIndex
{
    private const int ScanChunk = 64 << 10;

    private readonly SlideSource source;
    private readonly string where;
    private readonly long[] starts;
    private readonly long[]? recorded;
    private readonly Lock gate = new();

    public NdpiRestartIndex(SlideSource source, string where, long firstStart, long end, int count, long[]? recorded)
    {
        this.source = source;
        this.where = where;
        this.recorded = recorded;
        End = end;
        starts = new long[count];
        Array.Fill(starts, -1);
        starts[0] = firstStart;
    }

    /// <summary>One past the last byte of the level's JPEG.</summary>
    public long End { get; }

    public int Count => starts.Length;

    /// <summary>The byte range of interval <paramref name="index"/>: from its first byte through the next restart marker (or the end of the JPEG).</summary>
    public ByteRange RangeOf(int index)
    {
        long start = StartOf(index);
        long end = index + 1 < starts.Length ? StartOf(index + 1) : End;
        if (end <= start || end - start > int.MaxValue)
        {
            throw new CorruptSlideException(source.Name, where, $"restart interval {index} has an invalid extent [{start}, {end})");
        }

        return new ByteRange(start, (int)(end - start));
    }

    private long StartOf(int index)
    {
        long known = Volatile.Read(ref starts[index]);
        if (known >= 0)
        {
            return known;
        }

        lock (gate)
        {
            int first = index;
            while (starts[first] < 0)
            {
                if (recorded is not null && IsRestartMarkerBefore(recorded[first], first - 1))
                {
                    Volatile.Write(ref starts[first], recorded[first]);
                    break;
                }

                first--;
            }

            Scan(first, index);
            return starts[index];
        }
    }

    /// <summary>
    /// True when the two bytes before <paramref name="position"/> are the RST marker that ends interval
    /// <paramref name="ended"/> (RST0-7 cycle with the interval number): the McuStarts tags are trusted only then.
    /// </summary>
    private bool IsRestartMarkerBefore(long position, int ended)
    {
        if (position < 2 || position > End)
        {
            return false;
        }

        Span<byte> marker = stackalloc byte[2];
        return source.Read(position - 2, marker) == 2 && marker[0] == 0xFF && marker[1] == ExpectedMarker(ended);
    }

    /// <summary>The RST marker byte that ends interval <paramref name="interval"/>.</summary>
    private static int ExpectedMarker(int interval) => 0xD0 + (interval & 7);

    /// <summary>
    /// Records where interval <paramref name="interval"/> + 1 starts after finding RST <paramref name="marker"/>: a
    /// marker out of sequence means one was lost or damaged, and every interval after it would be read from the wrong
    /// row, so the read fails instead of returning misplaced pixels.
    /// </summary>
    private void Record(ref int interval, int marker, long next)
    {
        if (marker != ExpectedMarker(interval))
        {
            throw new CorruptSlideException(source.Name, where, $"restart marker RST{marker - 0xD0} ends interval {interval} where RST{ExpectedMarker(interval) - 0xD0} belongs: a marker is missing or damaged");
        }

        Volatile.Write(ref starts[++interval], next);
    }

    /// <summary>Records the starts of intervals first+1 .. target by finding the RST markers after interval <paramref name="first"/>'s start.</summary>
    private void Scan(int first, int target)
    {
        byte[] buffer = new byte[ScanChunk];
        long position = starts[first];
        int interval = first;
        bool pendingFF = false;
        while (interval < target)
        {
            if (position >= End)
            {
                throw new CorruptSlideException(source.Name, where, $"the JPEG ends before restart interval {interval + 1} of {starts.Length} (scanning for RST markers)");
            }

            int n = (int)Math.Min(buffer.Length, End - position);
            source.ReadExactly(position, buffer.AsSpan(0, n), new ErrorSite(where));
            int i = 0;
            if (pendingFF)
            {
                pendingFF = false;
                if (buffer[0] is >= 0xD0 and <= 0xD7)
                {
                    Record(ref interval, buffer[0], position + 1);
                }

                i = 1;
            }

            while (interval < target)
            {
                int ff = buffer.AsSpan(i, n - i).IndexOf((byte)0xFF);
                if (ff < 0)
                {
                    break;
                }

                i += ff + 1;
                if (i == n)
                {
                    pendingFF = true;
                    break;
                }

                if (buffer[i] is >= 0xD0 and <= 0xD7)
                {
                    Record(ref interval, buffer[i], position + i + 1);
                }

                i++;
            }

            position += n;
        }
    }
}
