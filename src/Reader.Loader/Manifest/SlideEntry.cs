namespace Reader.Loader;

/// <summary>One slide of a dataset: where it is, its label and split, its annotations, and any other manifest columns.</summary>
/// <param name="Path">A file path or a location the reader opens (http(s)://, s3://, az:// where registered).</param>
/// <param name="Label">The slide-level label, if the manifest gives one.</param>
/// <param name="Split">The split (train, val, test...), if given.</param>
/// <param name="Annotations">A GeoJSON file of annotations in level-0 coordinates, if given.</param>
/// <param name="Metadata">Every other column, by name.</param>
public sealed record SlideEntry(string Path, string? Label = null, string? Split = null, string? Annotations = null, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>The slide-level label, if any; patches labelled from annotations override it.</summary>
    public string? Label { get; init; } = Label;
}
