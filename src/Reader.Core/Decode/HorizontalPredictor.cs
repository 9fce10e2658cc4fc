namespace Reader.Core.Decode;

/// <summary>Undoes TIFF predictor 2 (horizontal differencing) on 8-bit samples, in place.</summary>
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
}
