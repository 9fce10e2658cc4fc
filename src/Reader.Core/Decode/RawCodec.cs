namespace Reader.Core.Decode;

/// <summary>Uncompressed chunks: the samples as stored.</summary>
internal sealed class RawCodec : ITileCodec
{
    public static readonly RawCodec Instance = new();

    public string Name => "none";

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        int n = Math.Min(compressed.Length, samples.Length);
        compressed[..n].CopyTo(samples);
        return n;
    }
}
