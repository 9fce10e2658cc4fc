namespace Reader.Core.Decode;

/// <summary>Deflate (zlib) chunks: libdeflate when the native shim has it, else the managed inflater.</summary>
internal sealed class DeflateCodec(string name) : ITileCodec
{
    public string Name { get; } = name;

    /// <summary>Reader.Gpu inflates, undoes the predictor and converts on the device: one chunk of 8-bit RGB or grey, alpha or not, predictor none or horizontal.</summary>
    public bool HasDeviceKernel(TileEncoding encoding) =>
        encoding.Planar != 2 && encoding.BitsPerSample == 8 && encoding.Predictor is 1 or 2 && encoding.Palette is null
        && ((encoding.Photometric == Open.TiffPhotometric.Rgb && encoding.SamplesPerPixel >= 3) || (encoding.Photometric is Open.TiffPhotometric.MinIsBlack or Open.TiffPhotometric.MinIsWhite && encoding.SamplesPerPixel >= 1))
        && (encoding.Alpha == AlphaKind.None || encoding.AlphaSample < encoding.SamplesPerPixel);

    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples) =>
        DeflateDecoder.Decode(compressed, samples, context.UseNative ? DecoderSet.Current.Inflater : null);
}
