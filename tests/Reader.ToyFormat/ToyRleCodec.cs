using Reader.Core.Decode;

namespace Reader.ToyFormat;

/// <summary>
/// A toy compression: (run length 1-255, byte) pairs. Registered under <see cref="Compression"/>, a code no
/// real format uses. Malformed data is reported through the context, so errors name file, level and tile.
/// </summary>
public sealed class ToyRleCodec : ITileCodec
{
    /// <summary>The toy's compression code (TIFF's private range).</summary>
    public const int Compression = 65001;

    /// <inheritdoc />
    public string Name => "toy-rle";

    /// <inheritdoc />
    public string? Refuse(TileEncoding encoding) =>
        encoding.Planar == 1 ? null : "toy-rle stores interleaved samples only";

    /// <inheritdoc />
    public int DecodeSamples(in TileDecodeContext context, ReadOnlySpan<byte> compressed, Span<byte> samples)
    {
        if (compressed.Length % 2 != 0)
        {
            throw context.Corrupt($"toy-rle data has an odd length ({compressed.Length})");
        }

        int written = 0;
        for (int i = 0; i < compressed.Length; i += 2)
        {
            int run = compressed[i];
            if (run == 0)
            {
                throw context.Corrupt($"toy-rle run of length 0 at byte {i}");
            }

            if (written + run > samples.Length)
            {
                throw context.Corrupt("toy-rle data expands beyond the tile");
            }

            samples.Slice(written, run).Fill(compressed[i + 1]);
            written += run;
        }

        return written;
    }

    /// <summary>Encodes samples (the toy writer's side).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> samples)
    {
        var output = new List<byte>(samples.Length / 2);
        int i = 0;
        while (i < samples.Length)
        {
            byte value = samples[i];
            int run = 1;
            while (run < 255 && i + run < samples.Length && samples[i + run] == value)
            {
                run++;
            }

            output.Add((byte)run);
            output.Add(value);
            i += run;
        }

        return [.. output];
    }
}
