using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Host;

/// <summary>
/// The tables one tile decodes with: its quantization tables and derived Huffman tables (only those its
/// components use; the rest zero, so equal sets compare equal). A batch uploads each distinct set once.
/// </summary>
internal sealed class TableSet : IEquatable<TableSet>
{
    private readonly int hash;

    private TableSet(int[] quant, int[] huffman)
    {
        Quant = quant;
        Huffman = huffman;
        var h = default(HashCode);
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(quant.AsSpan()));
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(huffman.AsSpan()));
        hash = h.ToHashCode();
    }

    /// <summary>4 x 64 quantization values, natural order.</summary>
    public int[] Quant { get; }

    /// <summary><see cref="HuffmanLayout.SetStride"/> ints: DC 0-3 then AC 0-3.</summary>
    public int[] Huffman { get; }

    /// <summary>The tables a successfully parsed header's components use.</summary>
    public static TableSet From(JpegHeader header)
    {
        int[] d = header.Descriptor;
        var quant = new int[4 * 64];
        var huffman = new int[HuffmanLayout.SetStride];
        for (int c = 0; c < d[JpegLayout.ComponentCount]; c++)
        {
            int q = d[JpegLayout.Of(c, JpegLayout.QuantTable)] * 64;
            Array.Copy(header.Quant, q, quant, q, 64);
            foreach (int slot in new[] { d[JpegLayout.Of(c, JpegLayout.DcTable)], 4 + d[JpegLayout.Of(c, JpegLayout.AcTable)] })
            {
                int o = slot * HuffmanLayout.Stride;
                Array.Copy(header.Huffman, o, huffman, o, HuffmanLayout.Stride);
            }
        }

        return new TableSet(quant, huffman);
    }

    public bool Equals(TableSet? other) =>
        other is not null && (ReferenceEquals(this, other) || (hash == other.hash && Quant.AsSpan().SequenceEqual(other.Quant) && Huffman.AsSpan().SequenceEqual(other.Huffman)));

    public override bool Equals(object? obj) => Equals(obj as TableSet);

    public override int GetHashCode() => hash;
}
