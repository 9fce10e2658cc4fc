namespace Reader.Loader;

/// <summary>Grid: every tissue patch on a stride. Random: a number of patches per slide per epoch.</summary>
public enum SamplingMode
{
    /// <summary>Every patch of a grid (stride <see cref="SamplingOptions.Stride"/>) that passes the tissue and label filters.</summary>
    Grid,

    /// <summary><see cref="SamplingOptions.PatchesPerSlide"/> patches drawn per slide per epoch from the candidate lattice.</summary>
    Random,
}

/// <summary>What balancing the random sampler applies.</summary>
[Flags]
public enum Balance
{
    /// <summary>Patches in proportion to each slide's candidates.</summary>
    None = 0,

    /// <summary>Every slide gives the same number of patches (weighted by <see cref="SamplingOptions.SlideWeights"/>).</summary>
    Slide = 1,

    /// <summary>Every class gives patches in proportion to <see cref="SamplingOptions.ClassWeights"/> (equal by default), however rare.</summary>
    Class = 2,
}

/// <summary>How an epoch's patches are chosen, ordered and split across ranks.</summary>
public sealed record SamplingOptions
{
    /// <summary>Grid (default) or random.</summary>
    public SamplingMode Mode { get; init; } = SamplingMode.Grid;

    /// <summary>
    /// Grid stride in output pixels (at the target resolution); null: the patch size (no overlap). A stride smaller
    /// than the patch overlaps patches.
    /// </summary>
    public int? Stride { get; init; }

    /// <summary>
    /// Random mode: the lattice random patches are drawn from, in output pixels (default: a quarter of the patch).
    /// </summary>
    public int? RandomStride { get; init; }

    /// <summary>Random mode: patches per slide per epoch (the mean, when slides are weighted).</summary>
    public int PatchesPerSlide { get; init; } = 64;

    /// <summary>Random mode: draw with replacement (a patch may repeat within an epoch).</summary>
    public bool WithReplacement { get; init; } = true;

    /// <summary>Random mode: balancing (default by slide).</summary>
    public Balance Balance { get; init; } = Balance.Slide;

    /// <summary>Relative class weights for <see cref="Balance.Class"/>; unnamed classes weigh 1.</summary>
    public IReadOnlyDictionary<string, double>? ClassWeights { get; init; }

    /// <summary>Relative slide weights (by dataset index) for <see cref="Balance.Slide"/>; unnamed slides weigh 1.</summary>
    public IReadOnlyDictionary<int, double>? SlideWeights { get; init; }

    /// <summary>Shuffle the epoch (seeded by <see cref="Seed"/> and the epoch). Grid order otherwise.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed: (seed, epoch) fixes the epoch's patches and order, whatever the worker count.</summary>
    public int Seed { get; init; }

    /// <summary>This process's rank in a distributed job (0-based).</summary>
    public int Rank { get; init; }

    /// <summary>Ranks in the job. Each takes an equal share; the shares are disjoint and together cover the epoch.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>
    /// When the epoch does not divide by <see cref="WorldSize"/>: false (default) pads it with patches from its start,
    /// as PyTorch's DistributedSampler does, so every patch is seen; true drops the remainder so no patch repeats.
    /// </summary>
    public bool DropUneven { get; init; }
}
