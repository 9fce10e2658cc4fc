using Reader.Core;

namespace Reader.Loader;

/// <summary>
/// Chooses an epoch's patches. Per slide (in parallel; each slide's draws come from its own seeded stream, so the
/// worker count changes nothing): the candidate grid (tissue-filtered, labelled), then either all of it (grid mode) or
/// a weighted draw (random mode). Then the epoch is shuffled with the (seed, epoch) stream and dealt to the ranks.
/// </summary>
internal static class EpochSampler
{
    private readonly record struct Candidate(long X, long Y, string? Label);

    public static IReadOnlyList<LoaderPatch> Plan(SlideDataset dataset, int epoch)
    {
        LoaderOptions o = dataset.Options;
        SamplingOptions s = o.Sampling;
        int n = dataset.Slides.Count;
        bool random = s.Mode == SamplingMode.Random;
        int stride = random ? s.RandomStride ?? Math.Max(1, Math.Min(o.Patch.Width, o.Patch.Height) / 4) : s.Stride ?? Math.Min(o.Patch.Width, o.Patch.Height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Workers };

        // Pass 1 (random mode, unless every slide is balanced on its own): class counts per slide, for global weights.
        Dictionary<string, long>[]? counts = null;
        if (random && (s.Balance & Balance.Slide) == 0)
        {
            counts = new Dictionary<string, long>[n];
            ForEachSlide(n, parallel, i => counts[i] = CountLabels(Candidates(dataset, i, stride)));
        }

        var perSlide = new Candidate[n][];
        var labels = new string[n][];
        ForEachSlide(n, parallel, i =>
        {
            List<Candidate> all = Candidates(dataset, i, stride);
            labels[i] = [.. all.Select(c => c.Label).OfType<string>().Distinct(StringComparer.Ordinal)];
            perSlide[i] = random ? Draw(all, dataset, i, epoch, counts) : [.. all];
        });

        // Classes come from every candidate, not from this epoch's draws, so a class too rare to be drawn in the first
        // epoch still has its index when a later epoch draws it.
        dataset.DiscoverClasses(labels.SelectMany(l => l)
            .Concat(o.Labelling.Background is { } b && dataset.Slides.Any(e => e.Annotations is not null) ? [b] : []));
        var patches = new LoaderPatch[perSlide.Sum(c => (long)c.Length) is var total && total <= Array.MaxLength ? (int)total : throw new InvalidOperationException($"an epoch of {total} patches")];
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            foreach (Candidate c in perSlide[i])
            {
                patches[k++] = new LoaderPatch(i, c.X, c.Y, dataset.ClassOf(c.Label));
            }
        }

        if (s.Shuffle)
        {
            SeededRandom.For(s.Seed, epoch, -1).Shuffle(patches.AsSpan());
        }

        return Shard(patches, s.Rank, s.WorldSize, s.DropUneven);
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s share: every WorldSize-th patch from position rank, after padding the epoch
    /// with its own first patches (or dropping the remainder) to a multiple of WorldSize.
    /// </summary>
    internal static LoaderPatch[] Shard(LoaderPatch[] epoch, int rank, int worldSize, bool dropUneven)
    {
        if (worldSize == 1)
        {
            return epoch;
        }

        long total = dropUneven ? epoch.Length / worldSize * worldSize : ((epoch.Length + worldSize - 1) / worldSize) * (long)worldSize;
        if (epoch.Length == 0)
        {
            return [];
        }

        var share = new LoaderPatch[total / worldSize];
        for (int j = 0; j < share.Length; j++)
        {
            share[j] = epoch[(int)(((long)j * worldSize + rank) % epoch.Length)];
        }

        return share;
    }

    // Parallel.For, but the caller sees a slide's own exception (the first slide's, of those that failed), not an AggregateException.
    private static void ForEachSlide(int n, ParallelOptions parallel, Action<int> body)
    {
        try
        {
            Parallel.For(0, n, parallel, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static List<Candidate> Candidates(SlideDataset dataset, int index, int stride)
    {
        if (dataset.IsSkipped(index))
        {
            return [];
        }

        try
        {
            SlideDataset.SlideData data = dataset.DataOf(index);
            SlideEntry entry = dataset.Slides[index];
            var filter = new GridFilter
            {
                Tissue = data.Mask,
                MinTissue = data.Mask is null ? 0 : dataset.Options.MinTissue,
                Annotations = data.Annotations,
                Labelling = dataset.Options.Labelling,
                SlideLabel = entry.Label,
            };
            var list = new List<Candidate>();
            foreach (GridPatch p in EnumerateGrid(data, stride, filter))
            {
                list.Add(new Candidate(p.X, p.Y, p.Label));
            }

            return list;
        }
        catch (Exception e) when (dataset.Options.SkipUnreadable && e is SlideException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            dataset.Skip(index, e);
            return [];
        }
    }

    private static IEnumerable<GridPatch> EnumerateGrid(SlideDataset.SlideData data, int stride, GridFilter filter) =>
        PatchGridCore.Enumerate(data.Width0, data.Height0, data.Geometry, stride, filter);

    private static Dictionary<string, long> CountLabels(List<Candidate> candidates)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Candidate c in candidates)
        {
            string key = c.Label ?? string.Empty;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private static Candidate[] Draw(List<Candidate> all, SlideDataset dataset, int index, int epoch, Dictionary<string, long>[]? globalCounts)
    {
        SamplingOptions s = dataset.Options.Sampling;
        if (all.Count == 0)
        {
            return [];
        }

        // Candidate weights: with class balancing, a class's weight shared among its candidates (in this slide when
        // slides are balanced on their own, over the dataset otherwise).
        bool byClass = (s.Balance & Balance.Class) != 0;
        bool bySlide = (s.Balance & Balance.Slide) != 0;
        Dictionary<string, long> scope = bySlide || globalCounts is null ? CountLabels(all) : Sum(globalCounts);
        var weights = new double[all.Count];
        double slideWeightSum = 0;
        for (int j = 0; j < all.Count; j++)
        {
            string key = all[j].Label ?? string.Empty;
            weights[j] = byClass ? ClassWeight(s, key) / scope[key] : 1;
            slideWeightSum += weights[j];
        }

        long quota;
        if (bySlide)
        {
            double w = s.SlideWeights?.GetValueOrDefault(index, 1.0) ?? 1.0;
            quota = (long)Math.Round(s.PatchesPerSlide * w);
        }
        else
        {
            // This slide's share of PatchesPerSlide x slides, in proportion to its total weight (floor plus a seeded
            // fractional remainder draw keeps the expected total exact without coordinating slides).
            double totalWeight = 0;
            for (int i = 0; i < globalCounts!.Length; i++)
            {
                foreach ((string key, long count) in globalCounts[i])
                {
                    totalWeight += byClass ? ClassWeight(s, key) * count / scope[key] : count;
                }
            }

            double expected = totalWeight <= 0 ? 0 : (double)s.PatchesPerSlide * dataset.Slides.Count * slideWeightSum / totalWeight;
            var quotaRandom = SeededRandom.For(s.Seed, epoch, -2 - index);
            quota = (long)Math.Floor(expected) + (quotaRandom.NextDouble() < expected - Math.Floor(expected) ? 1 : 0);
        }

        var rng = SeededRandom.For(s.Seed, epoch, index);
        if (!s.WithReplacement)
        {
            // Weighted sampling without replacement: the smallest exponential clocks -ln(u)/w (Efraimidis-Spirakis).
            var keys = new double[all.Count];
            var order = new int[all.Count];
            for (int j = 0; j < all.Count; j++)
            {
                keys[j] = weights[j] <= 0 ? double.PositiveInfinity : -Math.Log(1 - rng.NextDouble()) / weights[j];
                order[j] = j;
            }

            Array.Sort(keys, order);
            return [.. order.Take((int)Math.Min(quota, all.Count)).Select(j => all[j])];
        }

        var cumulative = new double[all.Count];
        double running = 0;
        for (int j = 0; j < all.Count; j++)
        {
            running += weights[j];
            cumulative[j] = running;
        }

        var drawn = new Candidate[quota];
        for (long q = 0; q < quota; q++)
        {
            double u = rng.NextDouble() * running;
            int j = Array.BinarySearch(cumulative, u);
            j = j < 0 ? ~j : j + 1;
            drawn[q] = all[Math.Min(j, all.Count - 1)];
        }

        return drawn;
    }

    private static double ClassWeight(SamplingOptions s, string key) => s.ClassWeights?.GetValueOrDefault(key, 1.0) ?? 1.0;

    private static Dictionary<string, long> Sum(Dictionary<string, long>[] counts)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Dictionary<string, long> c in counts)
        {
            foreach ((string key, long count) in c)
            {
                sum[key] = sum.GetValueOrDefault(key) + count;
            }
        }

        return sum;
    }
}
