using Parquet.Serialization;

namespace Reader.Tiling;

/// <summary>
/// One row of a Parquet index: an image written. WebDataset: <see cref="Key"/> is the sample key, <see cref="File"/>
/// the tar shard, <see cref="Offset"/> the byte offset of the image member's header in it (its data follows 512 bytes
/// later), <see cref="Level"/> the slide level read. DeepZoom: <see cref="Key"/> is <c>level/col_row</c>,
/// <see cref="File"/> the tile file relative to the slide folder, <see cref="Level"/> the DeepZoom level.
/// <see cref="X"/>, <see cref="Y"/>, <see cref="Width"/>, <see cref="Height"/>: the level-0 rectangle the image covers.
/// </summary>
public sealed class PatchIndexRow
{
    public string Key { get; set; } = string.Empty;

    public string File { get; set; } = string.Empty;

    public long Offset { get; set; }

    /// <summary>Encoded image bytes.</summary>
    public long Bytes { get; set; }

    public string Slide { get; set; } = string.Empty;

    public int Level { get; set; }

    public long X { get; set; }

    public long Y { get; set; }

    public long Width { get; set; }

    public long Height { get; set; }

    /// <summary>Microns per output pixel, when the slide records its mpp (or a fallback was given).</summary>
    public double? Mpp { get; set; }

    /// <summary>The patch's tissue fraction under the slide's mask (1 without a mask).</summary>
    public double Tissue { get; set; } = 1;

    /// <summary>The patch's label: by annotation, else the slide's.</summary>
    public string? Label { get; set; }
}

/// <summary>Writes and reads the Parquet index files (Parquet.Net's serializer; its output is a function of the rows alone).</summary>
public static class PatchIndex
{
    public static void Write(string path, IReadOnlyList<PatchIndexRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using FileStream file = File.Create(path);
        ParquetSerializer.SerializeAsync(rows, file).GetAwaiter().GetResult();
    }

    public static IList<PatchIndexRow> Read(string path)
    {
        using FileStream file = File.OpenRead(path);
        return ParquetSerializer.DeserializeAsync<PatchIndexRow>(file).GetAwaiter().GetResult().Data;
    }
}
