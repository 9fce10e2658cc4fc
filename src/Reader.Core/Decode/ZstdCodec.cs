namespace Reader.Core.Decode;

/// <summary>Zstandard chunks (ZstdSharp), refusing frames that expand beyond the tile.</summary>
internal sealed class ZstdCodec : ITileCodec
{
    public static readonly ZstdCodec Instance = new();

    public string Name => "zstd";

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        try
        {
            return DecoderSet.Current.Zstd.Unwrap(compressed, samples);
        }
        catch (ZstdSharp.ZstdException e)
        {
            string reason = e.Message.Contains("too small", StringComparison.OrdinalIgnoreCase) ? "expands beyond the tile" : e.Message;
            throw context.Corrupt($"zstd data corrupt: {reason}", e);
        }
    }
}
