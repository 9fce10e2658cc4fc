using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;

namespace Reader.Tiling;

/// <summary>
/// One slide's WebDataset shards: <c>KEY-000000.tar</c>, ... each holding, per patch, <c>SAMPLE.jpg</c> (or
/// <c>.png</c>) then <c>SAMPLE.json</c>, with a Parquet index <c>KEY-000000.parquet</c> beside each. Member order is
/// the write order; headers are ustar with a fixed mtime, uid/gid 0, mode 0644 and no user or group names, so the bytes
/// depend only on the patches.
/// </summary>
internal sealed class WebDatasetWriter : IDisposable
{
    /// <summary>Every member's mtime: a constant, so reruns are byte-identical.</summary>
    internal static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string folder;
    private readonly string slideKey;
    private readonly TileOptions options;
    private readonly List<PatchIndexRow> rows = [];
    private readonly List<string> files = [];
    private FileStream? stream;
    private TarWriter? tar;
    private int shardNumber = -1;
    private string shardName = string.Empty;

    public WebDatasetWriter(string folder, string slideKey, TileOptions options)
    {
        this.folder = folder;
        this.slideKey = slideKey;
        this.options = options;
    }

    /// <summary>The files written so far (tar and Parquet names, relative to the folder).</summary>
    public IReadOnlyList<string> Files => files;

    public long Patches { get; private set; }

    /// <summary>Adds one patch: its encoded image and its sidecar.</summary>
    public void Add(string sampleKey, string extension, byte[] image, PatchIndexRow row)
    {
        if (tar is null || rows.Count >= options.PatchesPerShard || stream!.Position >= options.ShardBytes)
        {
            CloseShard();
            shardNumber++;
            shardName = string.Create(CultureInfo.InvariantCulture, $"{slideKey}-{shardNumber:D6}.tar");
            stream = new FileStream(Path.Combine(folder, shardName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
        }

        row.Key = sampleKey;
        row.File = shardName;
        row.Offset = stream!.Position;
        row.Bytes = image.Length;
        Write(sampleKey + "." + extension, image);
        Write(sampleKey + ".json", Sidecar(row));
        rows.Add(row);
        Patches++;
    }

    /// <summary>Closes the last shard (its trailer and index).</summary>
    public void Complete() => CloseShard();

    public void Dispose()
    {
        tar?.Dispose();
        stream?.Dispose();
    }

    /// <summary>The JSON sidecar: fixed property order, shortest round-trip numbers.</summary>
    internal static byte[] Sidecar(PatchIndexRow row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("slide", row.Slide);
            json.WriteNumber("level", row.Level);
            json.WriteNumber("x", row.X);
            json.WriteNumber("y", row.Y);
            json.WriteNumber("width", row.Width);
            json.WriteNumber("height", row.Height);
            if (row.Mpp is { } mpp)
            {
                json.WriteNumber("mpp", mpp);
            }
            else
            {
                json.WriteNull("mpp");
            }

            json.WriteNumber("tissue", row.Tissue);
            if (row.Label is { } label)
            {
                json.WriteString("label", label);
            }
            else
            {
                json.WriteNull("label");
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private void Write(string name, byte[] data)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            ModificationTime = FixedTime,
            Uid = 0,
            Gid = 0,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            UserName = string.Empty,
            GroupName = string.Empty,
            DataStream = new MemoryStream(data, writable: false), // wraps, no copy
        };
        tar!.WriteEntry(entry);
    }

    private void CloseShard()
    {
        if (tar is null)
        {
            return;
        }

        tar.Dispose(); // writes the two zero blocks that end the archive
        stream!.Flush(flushToDisk: true);
        stream.Dispose();
        tar = null;
        stream = null;
        files.Add(shardName);
        string index = Path.ChangeExtension(shardName, ".parquet");
        PatchIndex.Write(Path.Combine(folder, index), rows);
        files.Add(index);
        rows.Clear();
    }
}
