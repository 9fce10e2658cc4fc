namespace Reader.Gpu.Host;

/// <summary>
/// What the host parse of a tile header (JPEGTables + the tile's segments up to SOS) gave: the descriptor
/// template (data offsets relative to the tile; DataEnd set per tile) and the tables, or why the device
/// cannot take tiles with this header.
/// </summary>
internal sealed class ParsedHeader
{
    private ParsedHeader(int[]? descriptor, TableSet? tables, string? problem)
    {
        Descriptor = descriptor;
        Tables = tables;
        Problem = problem;
    }

    public int[]? Descriptor { get; }

    public TableSet? Tables { get; }

    /// <summary>Null when the device can decode tiles with this header.</summary>
    public string? Problem { get; }

    public static ParsedHeader Usable(int[] descriptor, TableSet tables) => new(descriptor, tables, null);

    /// <summary>The device cannot take tiles with this header (unsupported process or corrupt): they decode on the CPU, which judges which.</summary>
    public static ParsedHeader Refused(string problem) => new(null, null, problem);
}
