using System.Security.Cryptography;
using System.Text;
using Reader.Core.Open;

namespace Reader.Core.Formats;

/// <summary>
/// OpenSlide's openslide.quickhash-1 for TIFF-based slides: SHA-256 over the raw (compressed)
/// chunks of the lowest-resolution level, then each of nine string tags of directory 0 as
/// name and value, NUL-terminated (an absent value hashes as an empty string). No hash when the
/// lowest level holds more than 5 MiB, as in OpenSlide.
/// </summary>
internal static class QuickHash
{
    private const long MaxHashedBytes = 5L << 20;
    private const int MaxRemembered = 1024;

    /// <summary>Hashes by content identity (path, length, write time): opening the same file again, as a loader that opens per patch does, does not hash again.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> Remembered = new(StringComparer.Ordinal);

    private static readonly (string Name, ushort Tag)[] StringTags =
    [
        ("tiff.ImageDescription", TiffTag.ImageDescription),
        ("tiff.Make", TiffTag.Make),
        ("tiff.Model", TiffTag.Model),
        ("tiff.Software", TiffTag.Software),
        ("tiff.DateTime", TiffTag.DateTime),
        ("tiff.Artist", TiffTag.Artist),
        ("tiff.HostComputer", TiffTag.HostComputer),
        ("tiff.Copyright", TiffTag.Copyright),
        ("tiff.DocumentName", TiffTag.DocumentName),
    ];

    /// <summary>The hash, remembered per content identity when the source has one (a file whose length or write time changed is hashed again).</summary>
    public static string? Compute(TiffImage lowestLevel, TiffDirectory propertyDirectory, string? contentIdentity)
    {
        if (contentIdentity is null)
        {
            return Compute(lowestLevel, propertyDirectory);
        }

        string key = contentIdentity + "|" + lowestLevel.Directory.Name;
        if (Remembered.TryGetValue(key, out string? known))
        {
            return known;
        }

        string? hash = Compute(lowestLevel, propertyDirectory);
        if (Remembered.Count >= MaxRemembered)
        {
            Remembered.Clear(); // bounded; a loader over many slides re-hashes at most once per pass
        }

        Remembered[key] = hash;
        return hash;
    }

    public static string? Compute(TiffImage lowestLevel, TiffDirectory propertyDirectory)
    {
        TiffDirectory dir = lowestLevel.Directory;
        bool tiled = dir.Has(TiffTag.TileOffsets);
        ushort offsetTag = tiled ? TiffTag.TileOffsets : TiffTag.StripOffsets, countTag = tiled ? TiffTag.TileByteCounts : TiffTag.StripByteCounts;
        ulong declared = dir.CountOf(offsetTag);
        if (declared == 0 || declared != dir.CountOf(countTag) || declared > (ulong)lowestLevel.ChunkCount * 4)
        {
            return null; // OpenSlide hashes nothing for inconsistent counts either
        }

        TiffArray offsets = dir.GetArray(offsetTag, "offsets", (long)declared);
        TiffArray counts = dir.GetArray(countTag, "byte counts", (long)declared);

        long total = 0;
        for (long i = 0; i < counts.Count; i++)
        {
            total += (long)Math.Min(counts[i], (ulong)MaxHashedBytes + 1);
            if (total > MaxHashedBytes)
            {
                return null;
            }
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 << 10];
        for (long i = 0; i < counts.Count; i++)
        {
            long offset = (long)offsets[i];
            long remaining = (long)counts[i];
            while (remaining > 0)
            {
                int n = (int)Math.Min(buffer.Length, remaining);
                dir.Container.Source.ReadExactly(offset, buffer.AsSpan(0, n), dir.Name + " (quickhash)");
                sha.AppendData(buffer, 0, n);
                offset += n;
                remaining -= n;
            }
        }

        byte[] nul = [0];
        foreach ((string name, ushort tag) in StringTags)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData(nul);
            sha.AppendData(propertyDirectory.GetStringBytes(tag) ?? []);
            sha.AppendData(nul);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
