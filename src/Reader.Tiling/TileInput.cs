using Reader.Loader;

namespace Reader.Tiling;

/// <summary>One slide to tile, as the training loader's manifest describes it.</summary>
/// <param name="Path">The slide as listed (manifest paths are resolved against the manifest's folder, as the loader does); recorded in sidecars and indexes.</param>
/// <param name="FullPath">The absolute path the slide is read from.</param>
/// <param name="Label">A slide-level label, written with every patch that annotations do not label.</param>
/// <param name="Annotations">A GeoJSON file of annotations (level-0 coordinates), if any.</param>
/// <param name="Mask">A supplied tissue mask PNG, if any (the manifest's <c>mask</c> column).</param>
public sealed record TileInput(string Path, string FullPath, string? Label = null, string? Annotations = null, string? Mask = null)
{
    /// <summary>
    /// Slides from arguments: manifests (<c>.csv</c> with a <c>path</c> column and optional <c>label</c>,
    /// <c>annotations</c>, <c>mask</c>; or JSON Lines: <c>.jsonl</c>, <c>.ndjson</c>, <c>.json</c>), read by the
    /// loader's <see cref="SlideManifest"/>, or slide paths.
    /// </summary>
    public static IReadOnlyList<TileInput> FromArguments(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var inputs = new List<TileInput>();
        foreach (string argument in arguments)
        {
            string extension = System.IO.Path.GetExtension(argument).ToLowerInvariant();
            if (extension is ".csv" or ".jsonl" or ".ndjson" or ".json")
            {
                inputs.AddRange(FromManifest(argument));
            }
            else
            {
                inputs.Add(new TileInput(argument, Full(argument)));
            }
        }

        return inputs;
    }

    /// <summary>The slides a manifest lists, in its order.</summary>
    public static IReadOnlyList<TileInput> FromManifest(string manifest) =>
        [.. SlideManifest.Load(manifest).Select(FromEntry)];

    /// <summary>A loader manifest entry as a tiling input (a relative mask path is relative to the slide's folder, as in the loader).</summary>
    public static TileInput FromEntry(SlideEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string full = Full(entry.Path);
        string? mask = entry.Metadata is { } meta && meta.TryGetValue("mask", out string? m) && !string.IsNullOrEmpty(m)
            ? System.IO.Path.GetFullPath(m, System.IO.Path.GetDirectoryName(full) ?? ".")
            : null;
        return new TileInput(entry.Path, full, entry.Label, entry.Annotations, mask);
    }

    /// <summary>A local path made absolute; an address (http(s)://, s3://, az://) kept as written.</summary>
    private static string Full(string path) => path.Contains("://", StringComparison.Ordinal) ? path : System.IO.Path.GetFullPath(path);
}
