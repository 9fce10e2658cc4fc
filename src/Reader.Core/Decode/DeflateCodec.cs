namespace Reader.Core.Decode;

/// <summary>Deflate (zlib) chunks: libdeflate when the native shim has it, else the managed inflater.</summary>
internal sealed class DeflateCodec(string name) : ITileCodec
{
    public string Name { get; } = name;

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples) =>
        DeflateDecoder.Decode(compressed, samples, context.UseNative ? DecoderSet.Current.Inflater : null);
}
