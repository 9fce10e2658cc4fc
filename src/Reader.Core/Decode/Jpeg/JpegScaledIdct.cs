namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// libjpeg's reduced-size inverse DCTs (jidctred.c): an 8x8 block of coefficients straight to 4x4, 2x2 or 1x1
/// samples, what libjpeg-turbo runs when asked to decode at 1/2, 1/4 or 1/8 (OpenSlide's extra NDPI levels).
/// The 4x4 and 2x2 outputs saturate as libjpeg-turbo's SSE2 versions do; 1x1 has no SIMD version and goes
/// through libjpeg's wrapping range-limit table, reproduced by <see cref="RangeLimit"/>.
/// </summary>
internal static class JpegScaledIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;
    private const int Fix0211164243 = 1730;
    private const int Fix0509795579 = 4176;
    private const int Fix0601344887 = 4926;
    private const int Fix0720959822 = 5906;
    private const int Fix0765366865 = 6270;
    private const int Fix0850430095 = 6967;
    private const int Fix0899976223 = 7373;
    private const int Fix1061594337 = 8697;
    private const int Fix1272758580 = 10426;
    private const int Fix1451774981 = 11893;
    private const int Fix1847759065 = 15137;
    private const int Fix2172734803 = 17799;
    private const int Fix2562915447 = 20995;
    private const int Fix3624509785 = 29692;

    /// <summary>
    /// Transforms one block into <paramref name="size"/> x <paramref name="size"/> samples (size 4, 2 or 1) at
    /// <paramref name="planeOffset"/>, rows <paramref name="stride"/> apart; <paramref name="work"/> gives 64 ints of scratch.
    /// </summary>
    public static void Block<TCoef, TQuant, TWork, TPlane>(
        int size, TCoef coef, int coefOffset, TQuant quant, int quantOffset, TWork work, int workOffset, TPlane plane, int planeOffset, int stride)
        where TCoef : struct, IShortView
        where TQuant : struct, IIntView
        where TWork : struct, IIntView
        where TPlane : struct, IByteView
    {
        switch (size)
        {
            case 4:
                Block4(coef, coefOffset, quant, quantOffset, work, workOffset, plane, planeOffset, stride);
                break;
            case 2:
                Block2(coef, coefOffset, quant, quantOffset, work, workOffset, plane, planeOffset, stride);
                break;
            default:
                int dc = coef[coefOffset] * quant[quantOffset];
                plane[planeOffset] = RangeLimit(Descale(dc, 3));
                break;
        }
    }

    /// <summary>libjpeg's post-IDCT range-limit table, indexed by the masked level-shifted value.</summary>
    public static byte RangeLimit(int value)
    {
        int v = value & 1023;
        return (byte)(v < 128 ? v + 128 : v < 512 ? 255 : v < 896 ? 0 : v - 896);
    }

    private static void Block4<TCoef, TQuant, TWork, TPlane>(TCoef coef, int coefOffset, TQuant quant, int quantOffset, TWork work, int workOffset, TPlane plane, int planeOffset, int stride)
        where TCoef : struct, IShortView
        where TQuant : struct, IIntView
        where TWork : struct, IIntView
        where TPlane : struct, IByteView
    {
        // Pass 1: columns 0-3 and 5-7 (the second pass never reads column 4) into 4 workspace rows.
        for (int col = 0; col < 8; col++)
        {
            if (col == 4)
            {
                continue;
            }

            int i = coefOffset + col;
            int q = quantOffset + col;
            int w = workOffset + col;
            if (coef[i + 8] == 0 && coef[i + 16] == 0 && coef[i + 24] == 0 && coef[i + 40] == 0 && coef[i + 48] == 0 && coef[i + 56] == 0)
            {
                int dc = (coef[i] * quant[q]) << Pass1Bits;
                work[w] = work[w + 8] = work[w + 16] = work[w + 24] = dc;
                continue;
            }

            long even0 = (long)(coef[i] * quant[q]) << (ConstBits + 1);
            long even2 = ((long)(coef[i + 16] * quant[q + 16]) * Fix1847759065) - ((long)(coef[i + 48] * quant[q + 48]) * Fix0765366865);
            Odd4(coef[i + 56] * quant[q + 56], coef[i + 40] * quant[q + 40], coef[i + 24] * quant[q + 24], coef[i + 8] * quant[q + 8], out long odd0, out long odd2);
            const int shift1 = ConstBits - Pass1Bits + 1;
            work[w] = Descale(even0 + even2 + odd2, shift1);
            work[w + 24] = Descale(even0 + even2 - odd2, shift1);
            work[w + 8] = Descale(even0 - even2 + odd0, shift1);
            work[w + 16] = Descale(even0 - even2 - odd0, shift1);
        }

        // Pass 2: the 4 rows, descaled to samples.
        const int shift2 = ConstBits + Pass1Bits + 3 + 1;
        for (int row = 0; row < 4; row++)
        {
            int w = workOffset + (row * 8);
            int o = planeOffset + (row * stride);
            if (work[w + 1] == 0 && work[w + 2] == 0 && work[w + 3] == 0 && work[w + 5] == 0 && work[w + 6] == 0 && work[w + 7] == 0)
            {
                byte dc = Clamp(Descale(work[w], Pass1Bits + 3));
                plane[o] = plane[o + 1] = plane[o + 2] = plane[o + 3] = dc;
                continue;
            }

            long even0 = (long)work[w] << (ConstBits + 1);
            long even2 = ((long)work[w + 2] * Fix1847759065) - ((long)work[w + 6] * Fix0765366865);
            Odd4(work[w + 7], work[w + 5], work[w + 3], work[w + 1], out long odd0, out long odd2);
            plane[o] = Clamp(Descale(even0 + even2 + odd2, shift2));
            plane[o + 3] = Clamp(Descale(even0 + even2 - odd2, shift2));
            plane[o + 1] = Clamp(Descale(even0 - even2 + odd0, shift2));
            plane[o + 2] = Clamp(Descale(even0 - even2 - odd0, shift2));
        }
    }

    /// <summary>The 8-to-4 odd part from the coefficients of rows (or columns) 7, 5, 3 and 1.</summary>
    private static void Odd4(long c7, long c5, long c3, long c1, out long odd0, out long odd2)
    {
        odd0 = (c7 * -Fix0211164243) + (c5 * Fix1451774981) + (c3 * -Fix2172734803) + (c1 * Fix1061594337);
        odd2 = (c7 * -Fix0509795579) + (c5 * -Fix0601344887) + (c3 * Fix0899976223) + (c1 * Fix2562915447);
    }

    private static void Block2<TCoef, TQuant, TWork, TPlane>(TCoef coef, int coefOffset, TQuant quant, int quantOffset, TWork work, int workOffset, TPlane plane, int planeOffset, int stride)
        where TCoef : struct, IShortView
        where TQuant : struct, IIntView
        where TWork : struct, IIntView
        where TPlane : struct, IByteView
    {
        // Pass 1: the odd columns and column 0 (the only ones the 8-to-2 step reads) into 2 workspace rows.
        for (int col = 0; col < 8; col++)
        {
            if (col is 2 or 4 or 6)
            {
                continue;
            }

            int i = coefOffset + col;
            int q = quantOffset + col;
            int w = workOffset + col;
            if (coef[i + 8] == 0 && coef[i + 24] == 0 && coef[i + 40] == 0 && coef[i + 56] == 0)
            {
                int dc = (coef[i] * quant[q]) << Pass1Bits;
                work[w] = work[w + 8] = dc;
                continue;
            }

            long even = (long)(coef[i] * quant[q]) << (ConstBits + 2);
            long odd = Odd2(coef[i + 56] * quant[q + 56], coef[i + 40] * quant[q + 40], coef[i + 24] * quant[q + 24], coef[i + 8] * quant[q + 8]);
            const int shift1 = ConstBits - Pass1Bits + 2;
            work[w] = Descale(even + odd, shift1);
            work[w + 8] = Descale(even - odd, shift1);
        }

        const int shift2 = ConstBits + Pass1Bits + 3 + 2;
        for (int row = 0; row < 2; row++)
        {
            int w = workOffset + (row * 8);
            int o = planeOffset + (row * stride);
            if (work[w + 1] == 0 && work[w + 3] == 0 && work[w + 5] == 0 && work[w + 7] == 0)
            {
                plane[o] = plane[o + 1] = Clamp(Descale(work[w], Pass1Bits + 3));
                continue;
            }

            long even = (long)work[w] << (ConstBits + 2);
            long odd = Odd2(work[w + 7], work[w + 5], work[w + 3], work[w + 1]);
            plane[o] = Clamp(Descale(even + odd, shift2));
            plane[o + 1] = Clamp(Descale(even - odd, shift2));
        }
    }

    /// <summary>The 8-to-2 odd part from the coefficients of rows (or columns) 7, 5, 3 and 1.</summary>
    private static long Odd2(long c7, long c5, long c3, long c1)
        => (c7 * -Fix0720959822) + (c5 * Fix0850430095) + (c3 * -Fix1272758580) + (c1 * Fix3624509785);

    private static int Descale(long x, int n) => (int)((x + (1L << (n - 1))) >> n);

    private static byte Clamp(int v)
    {
        v += 128;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
