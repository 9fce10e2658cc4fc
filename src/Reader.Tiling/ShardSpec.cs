using System.Globalization;

namespace Reader.Tiling;

/// <summary>Which of <see cref="Count"/> disjoint shares of the slides this task tiles (0-based <see cref="Index"/>).</summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The whole input in one task.</summary>
    public static ShardSpec All => new(0, 1);

    /// <summary>Parses <c>I/N</c> (0 &lt;= I &lt; N).</summary>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ArgumentException($"a shard is I/N, e.g. 0/4 (got '{text}')");
        }

        return Checked(index, count, "--shard");
    }

    /// <summary>
    /// The shard of this task: <paramref name="explicitShard"/> (<c>--shard I/N</c>) if given; else from the scheduler's
    /// environment: Slurm's <c>SLURM_ARRAY_TASK_ID</c> (minus <c>SLURM_ARRAY_TASK_MIN</c>) of
    /// <c>SLURM_ARRAY_TASK_COUNT</c>, or Kubernetes' <c>JOB_COMPLETION_INDEX</c>; else the whole input.
    /// With <paramref name="shards"/> (<c>--shards N</c>) the count is N and the index is the task id itself, so
    /// resubmitting one index of an array (<c>sbatch --array=2</c>, where Slurm reports a count of 1) still names
    /// share 2 of N. JOB_COMPLETION_INDEX needs <paramref name="shards"/>.
    /// </summary>
    public static ShardSpec Resolve(string? explicitShard, int? shards, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (explicitShard is not null)
        {
            ShardSpec spec = Parse(explicitShard);
            if (shards is { } n && n != spec.Count)
            {
                throw new ArgumentException($"--shard {explicitShard} and --shards {n} disagree");
            }

            return spec;
        }

        if (environment("SLURM_ARRAY_TASK_ID") is { Length: > 0 } taskId)
        {
            int id = Number("SLURM_ARRAY_TASK_ID", taskId);
            if (shards is { } n)
            {
                return Checked(id, n, "SLURM_ARRAY_TASK_ID with --shards");
            }

            int min = environment("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } m ? Number("SLURM_ARRAY_TASK_MIN", m) : 0;
            int count = environment("SLURM_ARRAY_TASK_COUNT") is { Length: > 0 } c
                ? Number("SLURM_ARRAY_TASK_COUNT", c)
                : throw new ArgumentException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shards N");
            return Checked(id - min, count, "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN");
        }

        if (environment("JOB_COMPLETION_INDEX") is { Length: > 0 } completion)
        {
            int index = Number("JOB_COMPLETION_INDEX", completion);
            return shards is { } n
                ? Checked(index, n, "JOB_COMPLETION_INDEX")
                : throw new ArgumentException("JOB_COMPLETION_INDEX is set: pass --shards N (the Job's completions)");
        }

        return shards is { } total && total != 1
            ? throw new ArgumentException($"--shards {total} without a shard index (--shard I/N, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
            : All;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    private static int Number(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{name}='{value}' is not a whole number");

    private static ShardSpec Checked(int index, int count, string source) =>
        count < 1 || index < 0 || index >= count
            ? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{source}: shard {index} of {count} is out of range (0 <= I < N)"))
            : new ShardSpec(index, count);
}
