namespace Reader.Core.Decode;

/// <summary>PackBits run-length coding.</summary>
internal sealed class PackBitsCodec : ITileCodec
{
    public static readonly PackBitsCodec Instance = new();

    public string Name => "PackBits";

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples) =>
        PackBitsDecoder.Decode(compressed, samples);
}
