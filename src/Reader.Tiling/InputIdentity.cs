using System.Globalization;

namespace Reader.Tiling;

/// <summary>
/// What a done marker remembers of a slide's input: its size and modification time (a folder, such as a DICOM series:
/// the total size and the latest time of its files), and OpenSlide's quickhash-1 when the reader computed one.
/// Size and time decide whether a slide is redone (no need to open it); the quickhash is a record.
/// </summary>
internal sealed record InputIdentity(long Size, string Modified, string? QuickHash)
{
    public static InputIdentity Of(string fullPath)
    {
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
    public bool SameFile(InputIdentity other) => Size == other.Size && Modified == other.Modified;

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
