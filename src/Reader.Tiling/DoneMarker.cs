using System.Text.Json;

namespace Reader.Tiling;

/// <summary>
/// <c>done.json</c> in a finished slide's folder: the input's identity, the options, and every top-level file with its
/// size. It is written inside the temporary folder before that folder is renamed into place, so a folder without it,
/// or a temporary folder, is never trusted.
/// </summary>
internal sealed record DoneMarker(string Slide, string Key, InputIdentity Input, string Options, long Patches, long Bytes, IReadOnlyList<(string Name, long Bytes)> Files)
{
    public const string FileName = "done.json";
    private const int Version = 1;

    public void Write(string folder)
    {
        using FileStream file = File.Create(Path.Combine(folder, FileName));
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", Version);
        json.WriteString("slide", Slide);
        json.WriteString("key", Key);
        json.WriteStartObject("input");
        json.WriteNumber("size", Input.Size);
        json.WriteString("modified", Input.Modified);
        if (Input.QuickHash is { } hash)
        {
            json.WriteString("quickhash1", hash);
        }
        else
        {
            json.WriteNull("quickhash1");
        }

        json.WriteString("sidecars", Input.Sidecars);
        json.WriteEndObject();
        json.WriteString("options", Options);
        json.WriteNumber("patches", Patches);
        json.WriteNumber("bytes", Bytes);
        json.WriteStartArray("files");
        foreach ((string name, long bytes) in Files)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteNumber("bytes", bytes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The marker in <paramref name="folder"/>, or null when it is absent or unreadable (never trusted then).</summary>
    public static DoneMarker? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != Version)
            {
                return null;
            }

            JsonElement input = root.GetProperty("input");
            var identity = new InputIdentity(input.GetProperty("size").GetInt64(), input.GetProperty("modified").GetString()!, input.GetProperty("quickhash1").GetString(), input.GetProperty("sidecars").GetString()!);
            var files = root.GetProperty("files").EnumerateArray().Select(f => (f.GetProperty("name").GetString()!, f.GetProperty("bytes").GetInt64())).ToList();
            return new DoneMarker(root.GetProperty("slide").GetString()!, root.GetProperty("key").GetString()!, identity, root.GetProperty("options").GetString()!,
                root.GetProperty("patches").GetInt64(), root.GetProperty("bytes").GetInt64(), files);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why the folder's files do not match the marker (a file missing or of another size; for DeepZoom, a tile the index
    /// lists missing or of another size), or null when they match.
    /// </summary>
    public string? Damage(string folder)
    {
        foreach ((string name, long bytes) in Files)
        {
            var file = new FileInfo(Path.Combine(folder, name));
            if (!file.Exists)
            {
                return $"{name} is missing";
            }

            if (file.Length != bytes)
            {
                return $"{name} has {file.Length} bytes, {bytes} were written";
            }
        }

        if (!Files.Any(f => f.Name.EndsWith(".dzi", StringComparison.Ordinal)))
        {
            return null;
        }

        // A DeepZoom pyramid's tiles are listed in its index, not in the marker (there can be hundreds of thousands).
        foreach ((string name, _) in Files.Where(f => f.Name.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            IList<PatchIndexRow> rows;
            try
            {
                rows = PatchIndex.Read(Path.Combine(folder, name));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException)
            {
                return $"{name} is unreadable: {e.Message}";
            }

            foreach (PatchIndexRow row in rows)
            {
                var tile = new FileInfo(Path.Combine(folder, row.File));
                if (!tile.Exists || tile.Length != row.Bytes)
                {
                    return tile.Exists ? $"{row.File} has {tile.Length} bytes, {row.Bytes} were written" : $"{row.File} is missing";
                }
            }
        }

        return null;
    }
}
