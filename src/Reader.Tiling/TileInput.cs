using System.Text;
using System.Text.Json;

namespace Reader.Tiling;

/// <summary>One slide to tile: its path as the manifest or command line gave it, the resolved full path, a label.</summary>
/// <param name="Path">The path as given (recorded in sidecars and the index).</param>
/// <param name="FullPath">The absolute path the slide is read from.</param>
/// <param name="Label">A slide-level label from the manifest, written with every patch; null when none.</param>
public sealed record TileInput(string Path, string FullPath, string? Label = null)
{
    /// <summary>
    /// Slides from arguments: a <c>.csv</c> manifest (a header row with a <c>path</c> column, optional <c>label</c>), a
    /// <c>.jsonl</c> manifest (one object per line with <c>path</c>, optional <c>label</c>), or slide paths. Relative
    /// manifest paths are relative to the manifest's folder.
    /// </summary>
    public static IReadOnlyList<TileInput> FromArguments(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var inputs = new List<TileInput>();
        foreach (string argument in arguments)
        {
            string extension = System.IO.Path.GetExtension(argument).ToLowerInvariant();
            if (extension is ".csv" or ".jsonl")
            {
                inputs.AddRange(FromManifest(argument));
            }
            else
            {
                inputs.Add(new TileInput(argument, System.IO.Path.GetFullPath(argument)));
            }
        }

        return inputs;
    }

    /// <summary>The slides a CSV or JSON Lines manifest lists, in its order.</summary>
    public static IReadOnlyList<TileInput> FromManifest(string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(manifest))!;
        string[] lines = File.ReadAllLines(manifest);
        var inputs = new List<TileInput>();
        if (manifest.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            for (int i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i]))
                {
                    continue;
                }

                using JsonDocument row = JsonDocument.Parse(lines[i]);
                string path = row.RootElement.TryGetProperty("path", out JsonElement p) && p.ValueKind == JsonValueKind.String
                    ? p.GetString()! : throw new FormatException($"{manifest}:{i + 1}: no \"path\" string");
                string? label = row.RootElement.TryGetProperty("label", out JsonElement l) && l.ValueKind != JsonValueKind.Null ? l.ToString() : null;
                inputs.Add(new TileInput(path, System.IO.Path.GetFullPath(path, folder), label));
            }

            return inputs;
        }

        if (lines.Length == 0)
        {
            throw new FormatException($"{manifest}: empty manifest (a header row with a 'path' column is needed)");
        }

        List<string> header = SplitCsv(lines[0]);
        int pathColumn = header.FindIndex(h => h.Trim().Equals("path", StringComparison.OrdinalIgnoreCase));
        int labelColumn = header.FindIndex(h => h.Trim().Equals("label", StringComparison.OrdinalIgnoreCase));
        if (pathColumn < 0)
        {
            throw new FormatException($"{manifest}: the header has no 'path' column");
        }

        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            List<string> fields = SplitCsv(lines[i]);
            if (pathColumn >= fields.Count || fields[pathColumn].Length == 0)
            {
                throw new FormatException($"{manifest}:{i + 1}: no path");
            }

            string path = fields[pathColumn];
            string? label = labelColumn >= 0 && labelColumn < fields.Count && fields[labelColumn].Length > 0 ? fields[labelColumn] : null;
            inputs.Add(new TileInput(path, System.IO.Path.GetFullPath(path, folder), label));
        }

        return inputs;
    }

    /// <summary>One CSV row (RFC 4180 quoting: "" inside quotes is a quote).</summary>
    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
