using System.Buffers;
using Reader.Core.Decode.Jpeg;

namespace Reader.Core.Loader;

/// <summary>
/// Downscaling by area averaging, defined in integers so the CPU and the GPU kernel (which runs this same body) give
/// the same bytes. Output pixel (x, y) of a dw x dh image covers source columns [x sw / dw, (x + 1) sw / dw) and the
/// matching rows; in units of 1/dw of a source column, source column s contributes its overlap
/// min((x + 1) sw, (s + 1) dw) - max(x sw, s dw), which sums to sw (likewise rows, to sh). A sample is the weighted
/// sum divided by sw sh, rounded half up: exact integer arithmetic, no floating point anywhere.
/// </summary>
public static class AreaResampler
{
    /// <summary>
    /// Resamples <paramref name="source"/> (<paramref name="sourceWidth"/> x <paramref name="sourceHeight"/> pixels of
    /// <paramref name="channels"/> interleaved bytes, rows packed) into <paramref name="destination"/>
    /// (<paramref name="width"/> x <paramref name="height"/>, rows packed). Downscales only: the output is no larger
    /// than the source in either direction.
    /// </summary>
    public static void Resample(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int channels, Span<byte> destination, int width, int height)
    {
        Check(source.Length, sourceWidth, sourceHeight, channels, destination.Length, width, height);

        // Separable form of Sample's sum (the same integers in the same grouping: a source row's weighted column sum,
        // times the row's weight), with the column spans and weights computed once per call and each source row's
        // column sums computed once: byte-identical to Sample, several times faster.
        int span = ((sourceWidth + width - 1) / width) + 1; // source columns one output column can touch
        int[] firstColumn = ArrayPool<int>.Shared.Rent(width);
        int[] columnCount = ArrayPool<int>.Shared.Rent(width);
        long[] columnWeight = ArrayPool<long>.Shared.Rent(width * span);
        long[] rowSums = ArrayPool<long>.Shared.Rent(width * channels);
        long[] sums = ArrayPool<long>.Shared.Rent(width * channels);
        try
        {
            for (int x = 0; x < width; x++)
            {
                long x0 = (long)x * sourceWidth, x1 = (long)(x + 1) * sourceWidth;
                int sx0 = (int)(x0 / width), sx1 = (int)((x1 + width - 1) / width);
                firstColumn[x] = sx0;
                columnCount[x] = sx1 - sx0;
                for (int sx = sx0; sx < sx1; sx++)
                {
                    columnWeight[(x * span) + sx - sx0] = Math.Min(x1, (long)(sx + 1) * width) - Math.Max(x0, (long)sx * width);
                }
            }

            long total = (long)sourceWidth * sourceHeight;
            int rowBytes = sourceWidth * channels;
            for (int y = 0; y < height; y++)
            {
                long y0 = (long)y * sourceHeight, y1 = (long)(y + 1) * sourceHeight;
                int sy0 = (int)(y0 / height), sy1 = (int)((y1 + height - 1) / height);
                Array.Clear(sums, 0, width * channels);
                for (int sy = sy0; sy < sy1; sy++)
                {
                    long wy = Math.Min(y1, (long)(sy + 1) * height) - Math.Max(y0, (long)sy * height);
                    ReadOnlySpan<byte> row = source.Slice(sy * rowBytes, rowBytes);
                    for (int x = 0; x < width; x++)
                    {
                        int first = firstColumn[x], count = columnCount[x], weights = x * span;
                        for (int c = 0; c < channels; c++)
                        {
                            long sum = 0;
                            for (int k = 0; k < count; k++)
                            {
                                sum += row[((first + k) * channels) + c] * columnWeight[weights + k];
                            }

                            rowSums[(x * channels) + c] = sum;
                        }
                    }

                    for (int i = 0; i < width * channels; i++)
                    {
                        sums[i] += rowSums[i] * wy;
                    }
                }

                Span<byte> output = destination.Slice(y * width * channels, width * channels);
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] = (byte)((sums[i] + (total / 2)) / total);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(firstColumn);
            ArrayPool<int>.Shared.Return(columnCount);
            ArrayPool<long>.Shared.Return(columnWeight);
            ArrayPool<long>.Shared.Return(rowSums);
            ArrayPool<long>.Shared.Return(sums);
        }
    }

    /// <summary>Checks sizes; shared with the device resampler.</summary>
    public static void Check(long sourceLength, int sourceWidth, int sourceHeight, int channels, long destinationLength, int width, int height)
    {
        if (sourceWidth <= 0 || sourceHeight <= 0 || width <= 0 || height <= 0 || channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"sizes {sourceWidth}x{sourceHeight} -> {width}x{height} with {channels} channels are not valid");
        }

        if (width > sourceWidth || height > sourceHeight)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"area averaging only downscales: {sourceWidth}x{sourceHeight} -> {width}x{height}");
        }

        if ((long)sourceWidth * sourceHeight > 1L << 26)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceWidth), $"a {sourceWidth}x{sourceHeight} source exceeds 2^26 pixels");
        }

        if (sourceLength < (long)sourceWidth * sourceHeight * channels || destinationLength < (long)width * height * channels)
        {
            throw new ArgumentException("a buffer is smaller than its image");
        }
    }

    /// <summary>Channel <paramref name="c"/> of output pixel (<paramref name="x"/>, <paramref name="y"/>): the body the CPU and the kernel share.</summary>
    internal static byte Sample<TSource>(TSource source, int sourceWidth, int sourceHeight, int channels, int width, int height, int x, int y, int c)
        where TSource : struct, IByteView
    {
        long x0 = (long)x * sourceWidth, x1 = (long)(x + 1) * sourceWidth;
        long y0 = (long)y * sourceHeight, y1 = (long)(y + 1) * sourceHeight;
        int sx0 = (int)(x0 / width), sx1 = (int)((x1 + width - 1) / width);
        int sy0 = (int)(y0 / height), sy1 = (int)((y1 + height - 1) / height);
        long sum = 0;
        for (int sy = sy0; sy < sy1; sy++)
        {
            long wy = Math.Min(y1, (long)(sy + 1) * height) - Math.Max(y0, (long)sy * height);
            long row = 0;
            for (int sx = sx0; sx < sx1; sx++)
            {
                long wx = Math.Min(x1, (long)(sx + 1) * width) - Math.Max(x0, (long)sx * width);
                row += source[(((sy * sourceWidth) + sx) * channels) + c] * wx;
            }

            sum += row * wy;
        }

        long total = (long)sourceWidth * sourceHeight;
        return (byte)((sum + (total / 2)) / total);
    }
}
