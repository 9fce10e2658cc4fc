using Reader.Core.Decode;
using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Host;

/// <summary>
/// Host-side JPEG header parsing for one level, with the results cached by the header bytes (everything
/// before the entropy-coded data): a level's tiles almost always share their header, so most tiles cost a
/// short marker walk and a dictionary lookup instead of a parse and Huffman table derivation. Table sets
/// are interned so equal sets are one object. Both caches are bounded (tiles with per-tile optimised
/// Huffman tables still decode, uncached).
/// </summary>
internal sealed class HeaderCache
{
    private const int MaxHeaders = 1024;
    private const int MaxTableSets = 256;

    [ThreadStatic]
    private static JpegHeader? parser;

    private readonly TileEncoding encoding;
    private readonly int colorMode;
    private readonly Dictionary<byte[], ParsedHeader> headers = new(HeaderBytes.Instance);
    private readonly Dictionary<byte[], ParsedHeader>.AlternateLookup<ReadOnlySpan<byte>> headersBySpan;
    private readonly Dictionary<TableSet, TableSet> tableSets = [];
    private readonly Lock gate = new();

    public HeaderCache(TileEncoding encoding)
    {
        this.encoding = encoding;
        colorMode = JpegCodec.ColorMode(encoding);
        headersBySpan = headers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The parse of <paramref name="tile"/>'s header (shared; do not modify).</summary>
    public ParsedHeader Get(ReadOnlySpan<byte> tile)
    {
        int scanStart = ScanStart(tile);
        if (scanStart < 0)
        {
            return Parse(tile); // malformed before the scan: let the parser say why, uncached
        }

        ReadOnlySpan<byte> key = tile[..scanStart];
        lock (gate)
        {
            if (headersBySpan.TryGetValue(key, out ParsedHeader? known))
            {
                return known;
            }
        }

        ParsedHeader parsed = Parse(tile);
        lock (gate)
        {
            if (parsed.Tables is { } set)
            {
                if (tableSets.TryGetValue(set, out TableSet? interned))
                {
                    parsed = ParsedHeader.Usable(parsed.Descriptor!, interned);
                }
                else if (tableSets.Count < MaxTableSets)
                {
                    tableSets[set] = set;
                }
            }

            if (headers.Count < MaxHeaders)
            {
                headersBySpan.TryAdd(key, parsed); // copies the header bytes, on a miss only
            }
        }

        return parsed;
    }

    /// <summary>Where the entropy-coded data starts (after the SOS segment), walking marker segments only; -1 when malformed.</summary>
    internal static int ScanStart(ReadOnlySpan<byte> s)
    {
        if (s.Length < 2 || s[0] != 0xFF || s[1] != 0xD8)
        {
            return -1;
        }

        int pos = 2;
        while (pos < s.Length)
        {
            if (s[pos] != 0xFF)
            {
                return -1;
            }

            while (pos < s.Length && s[pos] == 0xFF)
            {
                pos++;
            }

            if (pos + 3 > s.Length)
            {
                return -1;
            }

            int marker = s[pos++];
            if (marker is 0xD8 or 0xD9 or 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                return -1;
            }

            int length = (s[pos] << 8) | s[pos + 1];
            if (length < 2 || pos + length > s.Length)
            {
                return -1;
            }

            pos += length;
            if (marker == 0xDA)
            {
                return pos;
            }
        }

        return -1;
    }

    private ParsedHeader Parse(ReadOnlySpan<byte> tile)
    {
        JpegHeader header = parser ??= new JpegHeader();
        string? problem = header.Parse(encoding.JpegTables, tile, colorMode, out _);
        if (problem is not null)
        {
            return ParsedHeader.Refused("JPEG " + problem);
        }

        // Size and component rules are the codec's, applied per tile by the gatherer (the header is shared by many tiles).
        return ParsedHeader.Usable((int[])header.Descriptor.Clone(), TableSet.From(header));
    }

    /// <summary>Header bytes compared by content; span lookups, so a hit copies nothing.</summary>
    private sealed class HeaderBytes : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly HeaderBytes Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var h = default(HashCode);
            h.AddBytes(alternate);
            return h.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
