using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reader.Loader;

/// <summary>
/// A list of slides read from a CSV file (RFC 4180: a header row naming a <c>path</c> column, optional <c>label</c>,
/// <c>split</c>, <c>annotations</c>, any others kept as metadata) or JSON Lines (one object per line, the same keys).
/// Relative paths are taken relative to the manifest's folder.
/// </summary>
public static class SlideManifest
{
    private const long MaxManifestBytes = 1L << 30; // a manifest, not a data file: refuse anything absurd before reading it

    /// <summary>Reads a manifest; the format is chosen by extension (.jsonl/.ndjson/.json are JSON Lines, otherwise CSV).</summary>
    public static IReadOnlyList<SlideEntry> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: manifest not found", path);
        }

        if (info.Length > MaxManifestBytes)
        {
            throw new ManifestException(path, 0, $"{info.Length} bytes is more than a manifest may hold ({MaxManifestBytes})");
        }

        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return extension is ".jsonl" or ".ndjson" or ".json" ? ReadJsonLines(reader, path, folder) : ReadCsv(reader, path, folder);
    }

    /// <summary>Reads CSV text (the header row first); relative paths resolve against <paramref name="folder"/>.</summary>
    public static IReadOnlyList<SlideEntry> ReadCsv(TextReader reader, string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new CsvRows(reader, name);
        List<string>? header = rows.Next();
        if (header is null)
        {
            throw new ManifestException(name, 1, "the manifest is empty (a header row with a 'path' column is required)");
        }

        header = [.. header.Select(h => h.Trim())];
        int pathColumn = header.FindIndex(h => h.Equals("path", StringComparison.OrdinalIgnoreCase));
        if (pathColumn < 0)
        {
            throw new ManifestException(name, 1, $"no 'path' column in the header ({string.Join(", ", header)})");
        }

        var entries = new List<SlideEntry>();
        while (rows.Next() is { } row)
        {
            if (row.Count == 1 && row[0].Length == 0)
            {
                continue; // blank line
            }

            if (row.Count != header.Count)
            {
                throw new ManifestException(name, rows.Line, $"{row.Count} fields where the header has {header.Count}");
            }

            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < header.Count; i++)
            {
                fields[header[i]] = row[i];
            }

            entries.Add(Entry(fields, name, rows.Line, folder));
        }

        return entries;
    }

    /// <summary>Reads JSON Lines text; relative paths resolve against <paramref name="folder"/>.</summary>
    public static IReadOnlyList<SlideEntry> ReadJsonLines(TextReader reader, string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<SlideEntry>();
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ManifestException(name, line, "each line must be a JSON object");
                }

                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    fields[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString() ?? string.Empty,
                        JsonValueKind.Null => string.Empty,
                        _ => property.Value.GetRawText(),
                    };
                }
            }
            catch (JsonException e)
            {
                throw new ManifestException(name, line, $"not JSON: {e.Message}", e);
            }

            entries.Add(Entry(fields, name, line, folder));
        }

        return entries;
    }

    private static SlideEntry Entry(Dictionary<string, string> fields, string name, int line, string folder)
    {
        if (!fields.TryGetValue("path", out string? path) || string.IsNullOrWhiteSpace(path))
        {
            throw new ManifestException(name, line, "the row has no path");
        }

        string? Take(string key)
        {
            if (fields.Remove(key, out string? value))
            {
                return string.IsNullOrEmpty(value) ? null : value;
            }

            return null;
        }

        fields.Remove("path");
        string? annotations = Take("annotations");
        return new SlideEntry(
            Resolve(path.Trim(), folder),
            Take("label"),
            Take("split"),
            annotations is null ? null : Resolve(annotations, folder),
            fields.Count == 0 ? null : fields);
    }

    // Locations with a scheme (http://, s3://...) stay as written; file paths are relative to the manifest.
    private static string Resolve(string path, string folder) =>
        path.Contains("://", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, path));

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private sealed class CsvRows(TextReader reader, string name)
    {
        private const int MaxFieldChars = 1 << 20;
        private int nextLine = 1;

        public int Line { get; private set; }

        public List<string>? Next()
        {
            Line = nextLine;
            int c = reader.Read();
            if (c < 0)
            {
                return null;
            }

            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, wasQuoted = false;
            while (true)
            {
                if (c < 0)
                {
                    if (quoted)
                    {
                        throw new ManifestException(name, Line, "a quoted field is not closed");
                    }

                    fields.Add(field.ToString());
                    return fields;
                }

                char ch = (char)c;
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (ch == '\n')
                        {
                            nextLine++;
                        }

                        field.Append(ch);
                    }
                }
                else if (ch == '"' && field.Length == 0 && !wasQuoted)
                {
                    quoted = wasQuoted = true;
                }
                else if (ch == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                }
                else if (ch == '\n' || ch == '\r')
                {
                    if (ch == '\r' && reader.Peek() == '\n')
                    {
                        reader.Read();
                    }

                    nextLine++;
                    fields.Add(field.ToString());
                    return fields;
                }
                else if (wasQuoted)
                {
                    throw new ManifestException(name, Line, string.Create(CultureInfo.InvariantCulture, $"text after a closing quote ('{ch}')"));
                }
                else
                {
                    field.Append(ch);
                }

                if (field.Length > MaxFieldChars)
                {
                    throw new ManifestException(name, Line, $"a field longer than {MaxFieldChars} characters");
                }

                c = reader.Read();
            }
        }
    }
}
