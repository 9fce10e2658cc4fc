namespace Reader.Core.Assemble;

/// <summary>Row copies with format conversion, and rectangle fills.</summary>
internal static class PixelCopy
{
    /// <summary>Copies a <paramref name="width"/> x <paramref name="height"/> block, converting between RGB24 and RGBA32.</summary>
    public static unsafe void Copy(
        ReadOnlySpan<byte> source, int sourceStride, PixelFormat sourceFormat,
        Span<byte> destination, int destinationStride, PixelFormat destinationFormat,
        int width, int height)
    {
        int sb = sourceFormat.BytesPerPixel();
        int db = destinationFormat.BytesPerPixel();
        if (sb == db && height > 0)
        {
            // The hot case (cache to caller): one bounds check for the block, then plain row copies.
            int rowBytes = width * sb;
            long sourceEnd = ((long)(height - 1) * sourceStride) + rowBytes;
            long destinationEnd = ((long)(height - 1) * destinationStride) + rowBytes;
            if (sourceEnd > source.Length || destinationEnd > destination.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(height), "block exceeds the buffers");
            }

            fixed (byte* s = source)
            fixed (byte* d = destination)
            {
                for (int y = 0; y < height; y++)
                {
                    Buffer.MemoryCopy(s + ((long)y * sourceStride), d + ((long)y * destinationStride), rowBytes, rowBytes);
                }
            }

            return;
        }

        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> s = source.Slice(y * sourceStride, width * sb);
            Span<byte> d = destination.Slice(y * destinationStride, width * db);
            if (sb == 3)
            {
                for (int x = 0, i = 0, o = 0; x < width; x++, i += 3, o += 4)
                {
                    d[o] = s[i];
                    d[o + 1] = s[i + 1];
                    d[o + 2] = s[i + 2];
                    d[o + 3] = 255;
                }
            }
            else
            {
                for (int x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 3)
                {
                    d[o] = s[i];
                    d[o + 1] = s[i + 1];
                    d[o + 2] = s[i + 2];
                }
            }
        }
    }

    /// <summary>Fills a <paramref name="width"/> x <paramref name="height"/> block with <paramref name="color"/>.</summary>
    public static void Fill(Span<byte> destination, int stride, PixelFormat format, int width, int height, FillColor color)
    {
        if (width <= 0 || height <= 0)
        {
            return;
        }

        int bpp = format.BytesPerPixel();
        Span<byte> first = destination.Slice(0, width * bpp);
        if (color.R == color.G && color.G == color.B && (bpp == 3 || color.A == color.R))
        {
            first.Fill(color.R);
        }
        else
        {
            for (int o = 0; o < first.Length; o += bpp)
            {
                first[o] = color.R;
                first[o + 1] = color.G;
                first[o + 2] = color.B;
                if (bpp == 4)
                {
                    first[o + 3] = color.A;
                }
            }
        }

        for (int y = 1; y < height; y++)
        {
            first.CopyTo(destination.Slice(y * stride, width * bpp));
        }
    }
}
