using Reader.Native.Jpeg;

namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// The managed JPEG decoder: the same contract as the libjpeg-turbo shim and byte-identical
/// output, built from the shared bodies (<see cref="JpegEntropy"/>, <see cref="JpegIdct"/>,
/// <see cref="JpegColor"/>). Not thread-safe: one per thread, buffers reused across tiles.
/// </summary>
internal sealed class ManagedJpegDecoder
{
    private static readonly int[] Natural = JpegHeader.NaturalOrder;

    private readonly JpegHeader header = new();
    private readonly int[] work = new int[64];
    private readonly int[] scaledDesc = new int[JpegLayout.Size];
    private byte[] data = new byte[64 << 10];
    private short[] coefficients = new short[64 * 64];
    private byte[] planes = new byte[64 * 64];

    /// <summary>The message of the last failed decode.</summary>
    public string LastMessage { get; private set; } = string.Empty;

    /// <summary>The header of the last decode (tests and the GPU host use it).</summary>
    public JpegHeader Header => header;

    /// <summary>Mirrors the native decoder (libjpeg-turbo through the shim); Unsupported comes back as <see cref="JpegDecodeStatus.Unsupported"/>.</summary>
    public JpegDecodeStatus Decode(
        ReadOnlySpan<byte> tables,
        ReadOnlySpan<byte> tile,
        JpegColorSpace colorSpace,
        JpegOutput output,
        Span<byte> destination,
        int stride,
        int maxWidth,
        int maxHeight,
        out int width,
        out int height,
        out int components)
        => Decode(tables, tile, colorSpace, output, 1, destination, stride, maxWidth, maxHeight, out width, out height, out components);

    /// <summary>As the other overload, decoding at 1/<paramref name="scale"/> (1, 2, 4, 8) with libjpeg's reduced-size IDCTs.</summary>
    public JpegDecodeStatus Decode(
        ReadOnlySpan<byte> tables,
        ReadOnlySpan<byte> tile,
        JpegColorSpace colorSpace,
        JpegOutput output,
        int scale,
        Span<byte> destination,
        int stride,
        int maxWidth,
        int maxHeight,
        out int width,
        out int height,
        out int components)
    {
        if (scale is not (1 or 2 or 4 or 8))
        {
            width = height = components = 0;
            LastMessage = $"scale 1/{scale} is not one of 1, 1/2, 1/4, 1/8";
            return JpegDecodeStatus.InvalidArgument;
        }

        width = height = components = 0;
        int mode = colorSpace switch
        {
            JpegColorSpace.Gray => JpegLayout.ModeGray,
            JpegColorSpace.Rgb => JpegLayout.ModeRgb,
            JpegColorSpace.YCbCr => JpegLayout.ModeYCbCr,
            _ => JpegLayout.ModeRaw,
        };
        string? error = header.Parse(tables, tile, mode, out bool unsupported);
        if (error is not null)
        {
            LastMessage = error;
            return unsupported ? JpegDecodeStatus.Unsupported : JpegDecodeStatus.Corrupt;
        }

        int n = header.ComponentCount;
        bool expected = colorSpace switch
        {
            JpegColorSpace.Gray => n == 1,
            JpegColorSpace.Rgb or JpegColorSpace.YCbCr => n == 3,
            _ => true,
        };
        if (!expected)
        {
            LastMessage = $"JPEG has {n} components, which does not fit colour space {colorSpace}";
            return JpegDecodeStatus.Corrupt;
        }

        if (colorSpace == JpegColorSpace.Raw && output != JpegOutput.Components)
        {
            LastMessage = "raw components cannot be converted";
            return JpegDecodeStatus.InvalidArgument;
        }

        int outWidth = (header.Width + scale - 1) / scale;
        int outHeight = (header.Height + scale - 1) / scale;
        if (outWidth > maxWidth || outHeight > maxHeight)
        {
            LastMessage = scale == 1
                ? $"JPEG image is {header.Width}x{header.Height}, larger than the {maxWidth}x{maxHeight} expected"
                : $"JPEG image is {header.Width}x{header.Height} ({outWidth}x{outHeight} decoded), larger than the {maxWidth}x{maxHeight} expected";
            return JpegDecodeStatus.SizeMismatch;
        }

        int bytesPerPixel = output switch
        {
            JpegOutput.Rgb => 3,
            JpegOutput.Rgba => 4,
            _ => colorSpace == JpegColorSpace.Gray ? 1 : n,
        };
        int rowBytes = outWidth * bytesPerPixel;
        if (rowBytes > stride || ((long)(outHeight - 1) * stride) + rowBytes > destination.Length)
        {
            LastMessage = "destination buffer too small for the decoded image";
            return JpegDecodeStatus.SizeMismatch;
        }

        int[] desc = header.Descriptor;
        EnsureCapacity(ref data, tile.Length);
        tile.CopyTo(data);
        EnsureCapacity(ref coefficients, desc[JpegLayout.TotalCoefficients]);
        EnsureCapacity(ref planes, desc[JpegLayout.TotalPlaneBytes]);

        var descView = new IntArrayView(desc);
        var coefView = new ShortArrayView(coefficients);
        int status = JpegEntropy.DecodeScan(new ByteArrayView(data), descView, new IntArrayView(header.Huffman), 0, new IntArrayView(Natural), coefView);
        if (status == JpegStatus.MarkerAfterScan)
        {
            status = FinishAfterScan(tile, desc[JpegLayout.ScanEnd]);
        }

        if (status != JpegStatus.Ok)
        {
            LastMessage = JpegStatus.Describe(status);
            return JpegDecodeStatus.Corrupt;
        }

        var quant = new IntArrayView(header.Quant);
        var workView = new IntArrayView(work);
        var planeView = new ByteArrayView(planes);
        int blockSize = 8 / scale;
        int[] outDesc = scale == 1 ? desc : Scaled(desc, scale);
        for (int c = 0; c < n; c++)
        {
            int blocksWide = desc[JpegLayout.Of(c, JpegLayout.BlocksWide)];
            int blocksHigh = desc[JpegLayout.Of(c, JpegLayout.BlocksHigh)];
            int coefBase = desc[JpegLayout.Of(c, JpegLayout.CoefficientBase)];
            int planeBase = outDesc[JpegLayout.Of(c, JpegLayout.PlaneBase)];
            int planeStride = outDesc[JpegLayout.Of(c, JpegLayout.PlaneStride)];
            int quantBase = desc[JpegLayout.Of(c, JpegLayout.QuantTable)] * 64;
            for (int by = 0; by < blocksHigh; by++)
            {
                for (int bx = 0; bx < blocksWide; bx++)
                {
                    int coefOffset = coefBase + (((by * blocksWide) + bx) * 64);
                    int planeOffset = planeBase + (by * blockSize * planeStride) + (bx * blockSize);
                    if (scale == 1)
                    {
                        JpegIdct.Block(coefView, coefOffset, quant, quantBase, workView, 0, planeView, planeOffset, planeStride);
                    }
                    else
                    {
                        JpegScaledIdct.Block(blockSize, coefView, coefOffset, quant, quantBase, workView, 0, planeView, planeOffset, planeStride);
                    }
                }
            }
        }

        WritePixels(outDesc, planeView, colorSpace, n, destination, stride, bytesPerPixel, box: blockSize == 1);
        width = outWidth;
        height = outHeight;
        components = bytesPerPixel;
        return JpegDecodeStatus.Ok;
    }

    private static void WritePixels(int[] desc, ByteArrayView planeView, JpegColorSpace colorSpace, int n, Span<byte> destination, int stride, int bytesPerPixel, bool box)
    {
        var descView = new IntArrayView(desc);
        int width = desc[JpegLayout.Width];
        int height = desc[JpegLayout.Height];
        ComponentGeometry g0 = ComponentGeometry.Of(descView, 0) with { Box = box };
        ComponentGeometry g1 = n > 1 ? ComponentGeometry.Of(descView, 1) with { Box = box } : g0;
        ComponentGeometry g2 = n > 2 ? ComponentGeometry.Of(descView, 2) with { Box = box } : g0;
        bool components = colorSpace == JpegColorSpace.Raw || (colorSpace == JpegColorSpace.Gray && bytesPerPixel == 1);
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = destination.Slice(y * stride, width * bytesPerPixel);
            if (components)
            {
                for (int c = 0; c < n; c++)
                {
                    ComponentGeometry g = ComponentGeometry.Of(descView, c) with { Box = box };
                    for (int x = 0, o = c; x < width; x++, o += bytesPerPixel)
                    {
                        row[o] = (byte)JpegColor.Sample(g, planeView, x, y);
                    }
                }

                continue;
            }

            for (int x = 0, o = 0; x < width; x++, o += bytesPerPixel)
            {
                int s0 = JpegColor.Sample(g0, planeView, x, y);
                if (colorSpace == JpegColorSpace.Gray)
                {
                    row[o] = row[o + 1] = row[o + 2] = (byte)s0;
                }
                else if (colorSpace == JpegColorSpace.YCbCr)
                {
                    int rgb = JpegColor.YCbCrToRgb(s0, JpegColor.Sample(g1, planeView, x, y), JpegColor.Sample(g2, planeView, x, y));
                    row[o] = (byte)rgb;
                    row[o + 1] = (byte)(rgb >> 8);
                    row[o + 2] = (byte)(rgb >> 16);
                }
                else
                {
                    row[o] = (byte)s0;
                    row[o + 1] = (byte)JpegColor.Sample(g1, planeView, x, y);
                    row[o + 2] = (byte)JpegColor.Sample(g2, planeView, x, y);
                }

                if (bytesPerPixel == 4)
                {
                    row[o + 3] = 255;
                }
            }
        }
    }

    /// <summary>
    /// The descriptor of the image decoded at 1/<paramref name="scale"/>: libjpeg's output size (rounded up), and per
    /// component blocks of 8/scale samples, planes at the same bases (smaller than the full-size ones), and the
    /// downsampled sizes jdmaster computes, ceil(width * h * blockSize / (maxH * 8)).
    /// </summary>
    private int[] Scaled(int[] desc, int scale)
    {
        desc.AsSpan(0, JpegLayout.Size).CopyTo(scaledDesc);
        int blockSize = 8 / scale;
        int imageWidth = desc[JpegLayout.Width];
        int imageHeight = desc[JpegLayout.Height];
        int maxH = desc[JpegLayout.MaxH];
        int maxV = desc[JpegLayout.MaxV];
        scaledDesc[JpegLayout.Width] = (imageWidth + scale - 1) / scale;
        scaledDesc[JpegLayout.Height] = (imageHeight + scale - 1) / scale;
        for (int c = 0; c < desc[JpegLayout.ComponentCount]; c++)
        {
            long h = desc[JpegLayout.Of(c, JpegLayout.H)];
            long v = desc[JpegLayout.Of(c, JpegLayout.V)];
            scaledDesc[JpegLayout.Of(c, JpegLayout.PlaneStride)] = desc[JpegLayout.Of(c, JpegLayout.BlocksWide)] * blockSize;
            scaledDesc[JpegLayout.Of(c, JpegLayout.SampledWidth)] = (int)(((imageWidth * h * blockSize) + (maxH * 8) - 1) / (maxH * 8));
            scaledDesc[JpegLayout.Of(c, JpegLayout.SampledHeight)] = (int)(((imageHeight * v * blockSize) + (maxV * 8) - 1) / (maxV * 8));
        }

        return scaledDesc;
    }

    /// <summary>Walks marker segments after the scan (APPn, COM, tables) up to EOI, as libjpeg's finish does.</summary>
    private static int FinishAfterScan(ReadOnlySpan<byte> s, int pos)
    {
        while (true)
        {
            if (pos >= s.Length || s[pos] != 0xFF)
            {
                return JpegStatus.MissingEndOfImage;
            }

            while (pos < s.Length && s[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= s.Length)
            {
                return JpegStatus.MissingEndOfImage;
            }

            int marker = s[pos++];
            if (marker == 0xD9)
            {
                return JpegStatus.Ok;
            }

            bool skippable = marker is 0xDB or 0xC4 or 0xDD or 0xFE || (marker >= 0xE0 && marker <= 0xEF);
            if (!skippable || pos + 2 > s.Length)
            {
                return JpegStatus.MissingEndOfImage;
            }

            int length = (s[pos] << 8) | s[pos + 1];
            if (length < 2)
            {
                return JpegStatus.MissingEndOfImage;
            }

            pos += length;
        }
    }

    private static void EnsureCapacity<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }
}

/// <summary>How a managed JPEG decode ended.</summary>
internal enum JpegDecodeStatus
{
    Ok,
    Corrupt,
    Unsupported,
    SizeMismatch,
    InvalidArgument,
}
