namespace Reader.Core.Decode;

/// <summary>Undoes TIFF predictor 2 (horizontal differencing) on 8- or 16-bit samples, in place.</summary>
internal static class HorizontalPredictor
{
    public static void Undo(Span<byte> samples, int width, int rows, int samplesPerPixel, int rowBytes)
    {
        for (int y = 0; y < rows; y++)
        {
            Span<byte> row = samples.Slice(y * rowBytes, width * samplesPerPixel);
            for (int i = samplesPerPixel; i < row.Length; i++)
            {
                row[i] += row[i - samplesPerPixel];
            }
        }
    }

    /// <summary>One row of 8-bit samples at <paramref name="start"/> (the GPU's predictor kernel runs it, a thread per row).</summary>
    public static void UndoRow<TView>(TView samples, int start, int width, int samplesPerPixel)
        where TView : struct, Jpeg.IByteView
    {
        int n = width * samplesPerPixel;
        for (int i = samplesPerPixel; i < n; i++)
        {
            samples[start + i] = (byte)(samples[start + i] + samples[start + i - samplesPerPixel]);
        }
    }

    /// <summary>16-bit samples in the given byte order: differences are taken on whole 16-bit values.</summary>
    public static void Undo16(Span<byte> samples, int width, int rows, int samplesPerPixel, int rowBytes, bool bigEndian)
    {
        for (int y = 0; y < rows; y++)
        {
            Span<byte> row = samples.Slice(y * rowBytes, width * samplesPerPixel * 2);
            for (int i = samplesPerPixel * 2; i < row.Length; i += 2)
            {
                int p = i - (samplesPerPixel * 2);
                ushort sum = (ushort)(Read(row, i, bigEndian) + Read(row, p, bigEndian));
                Write(row, i, sum, bigEndian);
            }
        }
    }

    /// <summary>
    /// Narrows <paramref name="count"/> 16-bit samples to 8 bits in place (the output packs into the first half):
    /// (v + 128) / 257, libtiff's rounding, so pixels equal OpenSlide's.
    /// </summary>
    public static void Narrow16(Span<byte> samples, int count, bool bigEndian)
    {
        for (int i = 0; i < count; i++)
        {
            samples[i] = (byte)((Read(samples, i * 2, bigEndian) + 128) / 257);
        }
    }

    private static ushort Read(ReadOnlySpan<byte> s, int i, bool bigEndian) =>
        bigEndian ? (ushort)((s[i] << 8) | s[i + 1]) : (ushort)(s[i] | (s[i + 1] << 8));

    private static void Write(Span<byte> s, int i, ushort v, bool bigEndian)
    {
        s[bigEndian ? i : i + 1] = (byte)(v >> 8);
        s[bigEndian ? i + 1 : i] = (byte)v;
    }
}
