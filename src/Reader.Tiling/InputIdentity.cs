using System.Globalization;

namespace Reader.Tiling;

/// <summary>
/// What a done marker remembers of a slide's input: its size and modification time (a folder, such as a DICOM series:
/// the total size and the latest time of its files), the same of its annotation file and supplied mask
/// (<see cref="Sidecars"/>), and OpenSlide's quickhash-1 when the reader computed one. Sizes and times decide whether a
/// slide is redone (no need to open it); the quickhash is a record.
/// </summary>
internal sealed record InputIdentity(long Size, string Modified, string? QuickHash, string Sidecars = "")
{
    /// <summary>The identity of a slide and of the annotation and mask files its patches depend on.</summary>
    public static InputIdentity Of(TileInput input, string? annotations)
    {
        InputIdentity slide = Of(input.FullPath);
        string Part(string name, string? path)
        {
            if (path is null)
            {
                return string.Empty;
            }

            InputIdentity file = File.Exists(path) ? Of(path) : new InputIdentity(-1, "missing", null);
            return string.Create(CultureInfo.InvariantCulture, $"{name}={file.Size}@{file.Modified};");
        }

        return slide with { Sidecars = Part("annotations", annotations) + Part("mask", input.Mask) };
    }

    public static InputIdentity Of(string fullPath)
    {
        if (fullPath.Contains("://", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"{fullPath}: wsi tile reads local files and folders only (a done marker needs the input's size and time)");
        }

        if (File.Exists(fullPath))
        {
            var file = new FileInfo(fullPath);
            return new InputIdentity(file.Length, Time(file.LastWriteTimeUtc), null);
        }

        if (Directory.Exists(fullPath))
        {
            long size = 0;
            DateTime latest = DateTime.MinValue;
            foreach (FileInfo file in new DirectoryInfo(fullPath).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                size += file.Length;
                latest = file.LastWriteTimeUtc > latest ? file.LastWriteTimeUtc : latest;
            }

            return new InputIdentity(size, Time(latest), null);
        }

        throw new FileNotFoundException($"{fullPath}: not found", fullPath);
    }

    /// <summary>True when size and time match (the quickhash is not compared: it needs the slide opened).</summary>
    public bool SameFile(InputIdentity other) => Size == other.Size && Modified == other.Modified && Sidecars == other.Sidecars;

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
