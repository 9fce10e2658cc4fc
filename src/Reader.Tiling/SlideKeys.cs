using System.Security.Cryptography;
using System.Text;

namespace Reader.Tiling;

/// <summary>
/// Each slide's output name: its file name without extension, other characters than [A-Za-z0-9_-] made '_' (WebDataset
/// splits sample keys at the first dot) and at most 48 characters; slides whose names collide (case-insensitively) get 8 hex digits
/// of the SHA-256 of their path as given. A function of the whole input list, which every task sees.
/// </summary>
internal static class SlideKeys
{
    private const int MaxStem = 48;

    public static string[] Assign(IReadOnlyList<TileInput> inputs)
    {
        string[] stems = [.. inputs.Select(i => Stem(i.Path))];
        var counts = stems.GroupBy(s => s, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var keys = new string[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            keys[i] = counts[stems[i]] == 1 ? stems[i] : stems[i] + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inputs[i].Path)))[..8];
        }

        var duplicates = keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"the same slide is listed more than once: {string.Join(", ", duplicates)}");
        }

        return keys;
    }

    private static string Stem(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path));
        var text = new StringBuilder(stem.Length);
        foreach (char c in stem)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        string key = text.Length == 0 ? "slide" : text.ToString();
        return key.Length > MaxStem ? key[..MaxStem] : key;
    }
}
