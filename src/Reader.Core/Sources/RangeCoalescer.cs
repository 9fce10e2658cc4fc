namespace Reader.Core.Sources;

/// <summary>One read of a coalesced plan: the bytes to read and the requested ranges it serves.</summary>
internal readonly record struct MergedRead(ByteRange Range, int FirstMember, int MemberCount);

/// <summary>
/// Plans the reads behind <see cref="SlideSource.ReadRangesAsync"/>: ranges sorted by offset, then
/// merged while the gap to the next is at most <see cref="RangeReadOptions.MaxGap"/> (overlaps are gaps
/// below zero) and the merged read stays within <see cref="RangeReadOptions.MaxMergedLength"/>.
/// </summary>
internal static class RangeCoalescer
{
    /// <summary>
    /// Returns the merged reads; <paramref name="order"/> receives the indices of the non-empty requests sorted by
    /// offset (members of read k are order[First..First+Count]). Empty ranges need no read.
    /// </summary>
    public static List<MergedRead> Plan(IReadOnlyList<ByteRange> ranges, RangeReadOptions options, out int[] order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxGap, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMergedLength, nameof(options));
        var wanted = new List<int>(ranges.Count);
        for (int i = 0; i < ranges.Count; i++)
        {
            ByteRange r = ranges[i];
            if (r.Offset < 0 || r.Length < 0 || r.Offset > long.MaxValue - r.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ranges), r, $"range {i} is invalid");
            }

            if (r.Length > 0)
            {
                wanted.Add(i);
            }
        }

        int[] sorted = [.. wanted];
        order = sorted;
        Array.Sort(sorted, (a, b) =>
        {
            int c = ranges[a].Offset.CompareTo(ranges[b].Offset);
            return c != 0 ? c : a.CompareTo(b);
        });

        var reads = new List<MergedRead>();
        int first = 0;
        while (first < sorted.Length)
        {
            long start = ranges[sorted[first]].Offset;
            long end = ranges[sorted[first]].End;
            int next = first + 1;
            while (next < sorted.Length)
            {
                ByteRange r = ranges[sorted[next]];
                long mergedEnd = Math.Max(end, r.End);
                if (r.Offset - end > options.MaxGap || mergedEnd - start > options.MaxMergedLength)
                {
                    break;
                }

                end = mergedEnd;
                next++;
            }

            reads.Add(new MergedRead(new ByteRange(start, checked((int)(end - start))), first, next - first));
            first = next;
        }

        return reads;
    }
}
