namespace Reader.Gpu.Host;

/// <summary>
/// What the host parse of a tile header (JPEGTables + the tile's segments up to SOS) gave: the descriptor
/// template (data offsets relative to the tile; DataEnd set per tile) and the tables, or why the device
/// cannot take tiles with this header.
/// </summary>
internal sealed class ParsedHeader
{
    private ParsedHeader(int[]? descriptor, TableSet? tables, string? problem, bool unsupported)
    {
        Descriptor = descriptor;
        Tables = tables;
        Problem = problem;
        Unsupported = unsupported;
    }

    public int[]? Descriptor { get; }

    public TableSet? Tables { get; }

    /// <summary>Null when the device can decode tiles with this header.</summary>
    public string? Problem { get; }

    /// <summary>The problem is an unsupported JPEG process (progressive, 12-bit, arithmetic, multi-scan), not corruption.</summary>
    public bool Unsupported { get; }

    public static ParsedHeader Usable(int[] descriptor, TableSet tables) => new(descriptor, tables, null, false);

    public static ParsedHeader Refused(string problem, bool unsupported) => new(null, null, problem, unsupported);
}
