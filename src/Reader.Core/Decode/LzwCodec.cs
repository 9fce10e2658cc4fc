namespace Reader.Core.Decode;

/// <summary>TIFF LZW (both bit orders), with our managed decoder.</summary>
internal sealed class LzwCodec : ITileCodec
{
    public static readonly LzwCodec Instance = new();

    public string Name => "LZW";

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples) =>
        DecoderSet.Current.Lzw.Decode(compressed, samples);
}
