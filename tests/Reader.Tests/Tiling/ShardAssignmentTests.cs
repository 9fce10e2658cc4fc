using Reader.Tiling;

namespace Reader.Tests.Tiling;

/// <summary>Slides to shards: deterministic, disjoint and complete, balanced by size; the shard of a task from --shard, Slurm and Kubernetes variables.</summary>
public sealed class ShardAssignmentTests
{
    private static (string[] Keys, long[] Sizes) Cohort(int count, int seed)
    {
        var random = new Random(seed);
        string[] keys = [.. Enumerable.Range(0, count).Select(i => $"slide-{i:D5}")];
        // Skewed like real cohorts: most slides small, a few ten times larger.
        long[] sizes = [.. keys.Select(_ => random.Next(10) == 0 ? random.NextInt64(500_000_000, 3_000_000_000) : random.NextInt64(50_000_000, 400_000_000))];
        return (keys, sizes);
    }

    [Theory]
    [InlineData(1000, 4)]
    [InlineData(1000, 7)]
    [InlineData(37, 5)]
    [InlineData(3, 8)]
    public void Every_slide_has_exactly_one_shard_and_totals_stay_within_one_slide_of_the_ideal(int count, int shards)
    {
        (string[] keys, long[] sizes) = Cohort(count, count + shards);
        int[] assigned = ShardAssignment.Assign(keys, sizes, shards);
        Assert.Equal(count, assigned.Length);
        Assert.All(assigned, s => Assert.InRange(s, 0, shards - 1));
        long[] load = new long[shards];
        for (int i = 0; i < count; i++)
        {
            load[assigned[i]] += sizes[i];
        }

        // Greedy LPT: no shard exceeds the ideal share by more than the largest slide.
        double ideal = sizes.Sum() / (double)shards;
        Assert.True(load.Max() <= ideal + sizes.Max(), $"max {load.Max()} vs ideal {ideal} + largest {sizes.Max()}");
        if (count >= 100)
        {
            // And, with many slides, within 2% of the ideal, where dealing by count is far off.
            Assert.True(load.Max() <= ideal * 1.02, $"max {load.Max()} vs ideal {ideal}");
            long[] byCount = new long[shards];
            for (int i = 0; i < count; i++)
            {
                byCount[i % shards] += sizes[i];
            }

            Assert.True(byCount.Max() > load.Max(), "balancing by size should beat dealing by count on a skewed cohort");
        }
    }

    [Fact]
    public void The_assignment_depends_on_the_slides_not_on_their_order_or_the_run()
    {
        (string[] keys, long[] sizes) = Cohort(500, 3);
        int[] first = ShardAssignment.Assign(keys, sizes, 6);
        Assert.Equal(first, ShardAssignment.Assign(keys, sizes, 6));
        int[] order = [.. Enumerable.Range(0, keys.Length).OrderBy(i => (i * 7919) % keys.Length)];
        int[] shuffled = ShardAssignment.Assign([.. order.Select(i => keys[i])], [.. order.Select(i => sizes[i])], 6);
        for (int j = 0; j < order.Length; j++)
        {
            Assert.Equal(first[order[j]], shuffled[j]);
        }
    }

    [Fact]
    public void Equal_sizes_are_dealt_evenly()
    {
        string[] keys = [.. Enumerable.Range(0, 12).Select(i => $"s{i:D2}")];
        int[] assigned = ShardAssignment.Assign(keys, [.. keys.Select(_ => 100L)], 4);
        Assert.All(Enumerable.Range(0, 4), s => Assert.Equal(3, assigned.Count(a => a == s)));
    }

    [Fact]
    public void The_shard_comes_from_the_flag_then_slurm_then_kubernetes()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

        Assert.Equal(new ShardSpec(2, 5), ShardSpec.Resolve("2/5", null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"))));
        Assert.Equal(new ShardSpec(1, 4), ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0"))));
        // An array 1-4: ids are offset by the minimum.
        Assert.Equal(new ShardSpec(0, 4), ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1"))));
        // A resubmitted single index (sbatch --array=2): Slurm says count 1, min 2; --shards 4 keeps it share 2 of 4.
        Assert.Equal(new ShardSpec(2, 4), ShardSpec.Resolve(null, 4, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "1"), ("SLURM_ARRAY_TASK_MIN", "2"))));
        Assert.Equal(new ShardSpec(3, 8), ShardSpec.Resolve(null, 8, Env(("JOB_COMPLETION_INDEX", "3"))));
        Assert.Equal(ShardSpec.All, ShardSpec.Resolve(null, null, Env()));
        Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "3"))));
        Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, 2, Env(("JOB_COMPLETION_INDEX", "2"))));
        Assert.Throws<ArgumentException>(() => ShardSpec.Resolve("4/4", null, Env()));
        Assert.Throws<ArgumentException>(() => ShardSpec.Resolve("1/2", 3, Env()));
        Assert.Throws<ArgumentException>(() => ShardSpec.Parse("a/b"));
    }
}
