namespace Reader.Tiling;

/// <summary>
/// Slides to shards, balanced by size: greedy longest-processing-time first. Slides are taken largest first (ties by
/// ordinal key) and each goes to the shard with the least total so far (ties to the lowest index). Every task computes
/// the same assignment from the same list, so shares are disjoint and together complete, and no shard's total exceeds
/// the ideal share by more than the largest slide.
/// </summary>
public static class ShardAssignment
{
    /// <summary>The shard of each slide (same order as <paramref name="keys"/>).</summary>
    /// <param name="keys">Unique names fixing the order among equal sizes.</param>
    /// <param name="sizes">The work per slide (bytes on disk).</param>
    /// <param name="count">The number of shards.</param>
    public static int[] Assign(IReadOnlyList<string> keys, IReadOnlyList<long> sizes, int count)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (keys.Count != sizes.Count)
        {
            throw new ArgumentException("one size per key", nameof(sizes));
        }

        int[] order = [.. Enumerable.Range(0, keys.Count)];
        Array.Sort(order, (a, b) =>
        {
            int bySize = sizes[b].CompareTo(sizes[a]);
            return bySize != 0 ? bySize : string.CompareOrdinal(keys[a], keys[b]);
        });

        var load = new long[count];
        var shard = new int[keys.Count];
        foreach (int slide in order)
        {
            int least = 0;
            for (int s = 1; s < count; s++)
            {
                if (load[s] < load[least])
                {
                    least = s;
                }
            }

            shard[slide] = least;
            load[least] += Math.Max(1, sizes[slide]); // an empty file still costs an open
        }

        return shard;
    }
}
