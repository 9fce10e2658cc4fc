using System.Globalization;
using Parquet;
using System.Text.Json.Serialization;
using Parquet.Serialization;

namespace Reader.Loader;

/// <summary>
/// An epoch's patch list saved and read back, so a run can be reproduced or audited: CSV
/// (<c>slide,path,x,y,label,class</c>) or Parquet (the same columns), chosen by extension. Reading checks each row's
/// path against the dataset's slide of that index, so a list never silently applies to another manifest.
/// </summary>
public static class PatchList
{

    /// <summary>Writes <paramref name="patches"/> of <paramref name="dataset"/> to <paramref name="path"/> (.parquet or .csv).</summary>
    public static async Task SaveAsync(string path, SlideDataset dataset, IReadOnlyList<LoaderPatch> patches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(patches);
        IReadOnlyList<string> classes = dataset.Classes;
        string ClassName(int label) => label >= 0 && label < classes.Count ? classes[label] : string.Empty;
        if (IsParquet(path))
        {
            await using FileStream stream = File.Create(path);
            await ParquetSerializer.SerializeAsync(patches.Select(p => new Row { Slide = p.Slide, Path = dataset.Slides[p.Slide].Path, X = p.X, Y = p.Y, Label = p.Label, Class = ClassName(p.Label) }), stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var text = new StreamWriter(path);
        await text.WriteLineAsync("slide,path,x,y,label,class".AsMemory(), cancellationToken).ConfigureAwait(false);
        foreach (LoaderPatch p in patches)
        {
            await text.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{p.Slide},{Quote(dataset.Slides[p.Slide].Path)},{p.X},{p.Y},{p.Label},{Quote(ClassName(p.Label))}").AsMemory(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a patch list written by <see cref="SaveAsync"/> for <paramref name="dataset"/>.</summary>
    public static async Task<IReadOnlyList<LoaderPatch>> LoadAsync(string path, SlideDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var patches = new List<LoaderPatch>();
        if (IsParquet(path))
        {
            await using FileStream stream = File.OpenRead(path);
            IList<Row> rows;
            try
            {
                rows = (await ParquetSerializer.DeserializeAsync<Row>(stream, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException)
            {
                throw new ManifestException(path, 0, $"not a patch list: {e.Message}", e);
            }

            int row = 0;
            foreach (Row r in rows)
            {
                patches.Add(Check(path, ++row, dataset, r.Slide, r.Path, r.X, r.Y, r.Label));
            }

            return patches;
        }

        var manifest = SlideManifest.ReadCsv(new StreamReader(path), path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        int line = 1;
        foreach (SlideEntry e in manifest)
        {
            line++;
            string Field(string name) => e.Metadata?.GetValueOrDefault(name) ?? throw new ManifestException(path, line, $"no '{name}' value");
            if (!int.TryParse(Field("slide"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int slide)
                || !long.TryParse(Field("x"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long x)
                || !long.TryParse(Field("y"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long y)
                || !int.TryParse(e.Label is null ? Field("label") : e.Label, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
            {
                throw new ManifestException(path, line, "slide, x, y and label must be integers");
            }

            patches.Add(Check(path, line, dataset, slide, e.Path, x, y, label));
        }

        return patches;
    }

    private static LoaderPatch Check(string file, int row, SlideDataset dataset, int slide, string? slidePath, long x, long y, int label)
    {
        if ((uint)slide >= (uint)dataset.Slides.Count)
        {
            throw new ManifestException(file, row, $"slide {slide} is not in the dataset ({dataset.Slides.Count} slides)");
        }

        if (slidePath is not null && !SamePath(slidePath, dataset.Slides[slide].Path))
        {
            throw new ManifestException(file, row, $"slide {slide} is {slidePath} in the list but {dataset.Slides[slide].Path} in the dataset");
        }

        if (label < -1 || (dataset.Classes.Count > 0 && label >= dataset.Classes.Count))
        {
            throw new ManifestException(file, row, $"label {label} is not a class index");
        }

        return new LoaderPatch(slide, x, y, label);
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal) || (!a.Contains("://", StringComparison.Ordinal) && string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal));

    private static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    // One Parquet row; the column names are the CSV's.
    private sealed class Row
    {
        [JsonPropertyName("slide")]
        public int Slide { get; set; }

        [JsonPropertyName("path")]
        public string? Path { get; set; }

        [JsonPropertyName("x")]
        public long X { get; set; }

        [JsonPropertyName("y")]
        public long Y { get; set; }

        [JsonPropertyName("label")]
        public int Label { get; set; }

        [JsonPropertyName("class")]
        public string? Class { get; set; }
    }
}
