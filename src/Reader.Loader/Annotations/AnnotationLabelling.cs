namespace Reader.Loader;

/// <summary>How a patch gets its label from annotations.</summary>
public enum LabelRule
{
    /// <summary>The class of the smallest annotation containing the patch's centre (the most specific one).</summary>
    Centre,

    /// <summary>The class covering the largest part of the patch, if that part is at least <see cref="AnnotationLabelling.MinCoverage"/>.</summary>
    Coverage,
}

/// <summary>Labelling by annotation: the rule, the coverage needed, and the class of unannotated patches.</summary>
public sealed record AnnotationLabelling
{
    /// <summary>By centre (default) or by coverage.</summary>
    public LabelRule Rule { get; init; } = LabelRule.Centre;

    /// <summary>With <see cref="LabelRule.Coverage"/>: the fraction of the patch one class must cover (0-1).</summary>
    public double MinCoverage { get; init; } = 0.5;

    /// <summary>
    /// The label of a patch no class claims; null drops such patches (only annotated tissue is sampled).
    /// </summary>
    public string? Background { get; init; } = "background";

    /// <summary>The defaults.</summary>
    public static AnnotationLabelling Default { get; } = new();
}
