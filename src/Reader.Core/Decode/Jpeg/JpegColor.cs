namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// Upsampling and colour conversion of one output pixel, exactly as libjpeg-turbo does it
/// by default: "fancy" triangle filters for 2:1 ratios (jdsample.c, with their rounding
/// biases and edge replication at the image edges, which for TIFF are the tile edges),
/// box replication for other integral ratios, and 16-bit fixed-point YCbCr to RGB (jdcolor.c).
/// </summary>
internal static class JpegColor
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);
    private const int FixCrToR = 91881;   // FIX(1.40200)
    private const int FixCbToB = 116130;  // FIX(1.77200)
    private const int FixCrToG = 46802;   // FIX(0.71414)
    private const int FixCbToG = 22554;   // FIX(0.34414)

    /// <summary>
    /// Writes pixel (<paramref name="x"/>, <paramref name="y"/>) of the tile described by
    /// <paramref name="desc"/> to <paramref name="output"/>: RGB (3 bytes), RGBA (4, alpha 255),
    /// or for raw mode the components themselves (<paramref name="bytesPerPixel"/> = component count).
    /// </summary>
    public static void Pixel<TDesc, TPlane, TOut>(TDesc desc, TPlane plane, int x, int y, TOut output, int outOffset, int bytesPerPixel)
        where TDesc : struct, IIntView
        where TPlane : struct, IByteView
        where TOut : struct, IByteView
    {
        int mode = desc[JpegLayout.ColorMode];
        if (mode == JpegLayout.ModeRaw)
        {
            int n = desc[JpegLayout.ComponentCount];
            for (int c = 0; c < n; c++)
            {
                output[outOffset + c] = (byte)Sample(desc, plane, c, x, y);
            }

            return;
        }

        int r, g, b;
        if (mode == JpegLayout.ModeGray)
        {
            r = g = b = Sample(desc, plane, 0, x, y);
        }
        else if (mode == JpegLayout.ModeRgb)
        {
            r = Sample(desc, plane, 0, x, y);
            g = Sample(desc, plane, 1, x, y);
            b = Sample(desc, plane, 2, x, y);
        }
        else
        {
            int rgb = YCbCrToRgb(Sample(desc, plane, 0, x, y), Sample(desc, plane, 1, x, y), Sample(desc, plane, 2, x, y));
            r = rgb & 0xFF;
            g = (rgb >> 8) & 0xFF;
            b = rgb >> 16;
        }

        output[outOffset] = (byte)r;
        output[outOffset + 1] = (byte)g;
        output[outOffset + 2] = (byte)b;
        if (bytesPerPixel == 4)
        {
            output[outOffset + 3] = 255;
        }
    }

    /// <summary>Component <paramref name="c"/> upsampled to full resolution at (x, y).</summary>
    public static int Sample<TDesc, TPlane>(TDesc desc, TPlane plane, int c, int x, int y)
        where TDesc : struct, IIntView
        where TPlane : struct, IByteView
        => Sample(ComponentGeometry.Of(desc, c), plane, x, y);

    /// <summary>
    /// A component upsampled to full resolution at (x, y), its geometry read once by the caller
    /// (the per-pixel cost is then only the filter's few plane reads).
    /// </summary>
    public static int Sample<TPlane>(ComponentGeometry g, TPlane plane, int x, int y)
        where TPlane : struct, IByteView
    {
        int baseOffset = g.PlaneBase;
        int stride = g.Stride;
        int ratioH = g.RatioH;
        int ratioV = g.RatioV;
        if (ratioH == 1 && ratioV == 1)
        {
            return plane[baseOffset + (y * stride) + x];
        }

        int width = g.Width;
        int height = g.Height;
        if (g.Box)
        {
            return plane[baseOffset + ((y / ratioV) * stride) + (x / ratioH)];
        }

        if (ratioH == 2 && ratioV == 1 && width > 2)
        {
            int cx = x >> 1;
            int row = baseOffset + (y * stride);
            int near = plane[row + cx];
            if ((x & 1) == 0)
            {
                return cx == 0 ? near : ((near * 3) + plane[row + cx - 1] + 1) >> 2;
            }

            return cx == width - 1 ? near : ((near * 3) + plane[row + cx + 1] + 2) >> 2;
        }

        if (ratioH == 1 && ratioV == 2)
        {
            int cy = y >> 1;
            int farRow = (y & 1) == 0 ? (cy == 0 ? 0 : cy - 1) : (cy == height - 1 ? cy : cy + 1);
            int sum = (plane[baseOffset + (cy * stride) + x] * 3) + plane[baseOffset + (farRow * stride) + x];
            return (sum + (1 + (y & 1))) >> 2;
        }

        if (ratioH == 2 && ratioV == 2 && width > 2)
        {
            int cx = x >> 1;
            int cy = y >> 1;
            int farRow = (y & 1) == 0 ? (cy == 0 ? 0 : cy - 1) : (cy == height - 1 ? cy : cy + 1);
            int nearBase = baseOffset + (cy * stride);
            int farBase = baseOffset + (farRow * stride);
            int thisSum = (plane[nearBase + cx] * 3) + plane[farBase + cx];
            if ((x & 1) == 0)
            {
                if (cx == 0)
                {
                    return ((thisSum * 4) + 8) >> 4;
                }

                int lastSum = (plane[nearBase + cx - 1] * 3) + plane[farBase + cx - 1];
                return ((thisSum * 3) + lastSum + 8) >> 4;
            }

            if (cx == width - 1)
            {
                return ((thisSum * 4) + 7) >> 4;
            }

            int nextSum = (plane[nearBase + cx + 1] * 3) + plane[farBase + cx + 1];
            return ((thisSum * 3) + nextSum + 7) >> 4;
        }

        // Box replication: other integral ratios, and 2:1 on components two samples wide or less.
        return plane[baseOffset + ((y / ratioV) * stride) + (x / ratioH)];
    }

    /// <summary>jdcolor.c's conversion; returns R | G &lt;&lt; 8 | B &lt;&lt; 16.</summary>
    public static int YCbCrToRgb(int luma, int cb, int cr)
    {
        cb -= 128;
        cr -= 128;
        int r = Clamp(luma + (((FixCrToR * cr) + OneHalf) >> ScaleBits));
        int g = Clamp(luma + (((-FixCbToG * cb) + OneHalf + (-FixCrToG * cr)) >> ScaleBits));
        int b = Clamp(luma + (((FixCbToB * cb) + OneHalf) >> ScaleBits));
        return r | (g << 8) | (b << 16);
    }

    private static int Clamp(int v) => v < 0 ? 0 : v > 255 ? 255 : v;
}

/// <summary>Where a component's samples are and how it is upsampled: read from the descriptor once per tile.</summary>
/// <param name="PlaneBase">Offset of the component's plane.</param>
/// <param name="Stride">Bytes per plane row.</param>
/// <param name="RatioH">Horizontal upsampling ratio (max H / H).</param>
/// <param name="RatioV">Vertical upsampling ratio (max V / V).</param>
/// <param name="Width">The component's sampled width (libjpeg's downsampled_width).</param>
/// <param name="Height">The component's sampled height.</param>
internal readonly record struct ComponentGeometry(int PlaneBase, int Stride, int RatioH, int RatioV, int Width, int Height)
{
    /// <summary>Box replication for every ratio: libjpeg turns fancy upsampling off when decoding at 1/8 (one sample per block).</summary>
    public bool Box { get; init; }

    public static ComponentGeometry Of<TDesc>(TDesc desc, int c)
        where TDesc : struct, IIntView
    {
        int ratioH = desc[JpegLayout.MaxH] / desc[JpegLayout.Of(c, JpegLayout.H)];
        int ratioV = desc[JpegLayout.MaxV] / desc[JpegLayout.Of(c, JpegLayout.V)];
        if (desc[JpegLayout.ComponentCount] == 1)
        {
            ratioH = ratioV = 1; // a lone component is never upsampled
        }

        return new ComponentGeometry(
            desc[JpegLayout.Of(c, JpegLayout.PlaneBase)],
            desc[JpegLayout.Of(c, JpegLayout.PlaneStride)],
            ratioH,
            ratioV,
            desc[JpegLayout.Of(c, JpegLayout.SampledWidth)],
            desc[JpegLayout.Of(c, JpegLayout.SampledHeight)]);
    }
}
