namespace Reader.Loader;

/// <summary>
/// SplitMix64: a small generator whose sequence is fixed by its seed on every platform and runtime version, so an
/// epoch's patches are the same wherever it is computed. Streams are derived by mixing (seed, epoch, slide).
/// </summary>
internal struct SeededRandom(ulong state)
{
    private ulong state = state;

    public static SeededRandom For(int seed, int epoch, long stream) =>
        new(Mix(Mix(Mix((ulong)(uint)seed) ^ (ulong)(uint)epoch) ^ (ulong)stream));

    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, n), without modulo bias.</summary>
    public long Below(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong limit = ulong.MaxValue - (ulong.MaxValue % (ulong)n);
        ulong r;
        do
        {
            r = Next();
        }
        while (r >= limit);
        return (long)(r % (ulong)n);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
