namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// libjpeg's accurate integer inverse DCT (ISLOW, jidctint.c; CONST_BITS 13, PASS1_BITS 2),
/// dequantizing on the way in, the default of libjpeg-turbo. The final clamp saturates,
/// as libjpeg-turbo's SIMD version does; the C version's range table only differs for
/// values no valid stream produces.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;
    private const int Fix0298631336 = 2446;
    private const int Fix0390180644 = 3196;
    private const int Fix0541196100 = 4433;
    private const int Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373;
    private const int Fix1175875602 = 9633;
    private const int Fix1501321110 = 12299;
    private const int Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069;
    private const int Fix2053119869 = 16819;
    private const int Fix2562915447 = 20995;
    private const int Fix3072711026 = 25172;

    /// <summary>
    /// Transforms the 64 coefficients at <paramref name="coefOffset"/> (natural order) with the
    /// quantization table at <paramref name="quantOffset"/> into 8x8 samples at
    /// <paramref name="planeOffset"/>, rows <paramref name="stride"/> apart.
    /// <paramref name="work"/> provides 64 ints of scratch at <paramref name="workOffset"/>.
    /// </summary>
    public static void Block<TCoef, TQuant, TWork, TPlane>(
        TCoef coef, int coefOffset, TQuant quant, int quantOffset, TWork work, int workOffset, TPlane plane, int planeOffset, int stride)
        where TCoef : struct, IShortView
        where TQuant : struct, IIntView
        where TWork : struct, IIntView
        where TPlane : struct, IByteView
    {
        // Pass 1: columns, into the workspace scaled up by PASS1_BITS.
        for (int col = 0; col < 8; col++)
        {
            int i = coefOffset + col;
            int q = quantOffset + col;
            int w = workOffset + col;
            if (coef[i + 8] == 0 && coef[i + 16] == 0 && coef[i + 24] == 0 && coef[i + 32] == 0
                && coef[i + 40] == 0 && coef[i + 48] == 0 && coef[i + 56] == 0)
            {
                int dc = (coef[i] * quant[q]) << Pass1Bits;
                for (int r = 0; r < 8; r++)
                {
                    work[w + (r * 8)] = dc;
                }

                continue;
            }

            long z2 = coef[i + 16] * quant[q + 16];
            long z3 = coef[i + 48] * quant[q + 48];
            long z1 = (z2 + z3) * Fix0541196100;
            long tmp2 = z1 + (z3 * -Fix1847759065);
            long tmp3 = z1 + (z2 * Fix0765366865);

            z2 = coef[i] * quant[q];
            z3 = coef[i + 32] * quant[q + 32];
            long tmp0 = (z2 + z3) << ConstBits;
            long tmp1 = (z2 - z3) << ConstBits;

            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;

            tmp0 = coef[i + 56] * quant[q + 56];
            tmp1 = coef[i + 40] * quant[q + 40];
            tmp2 = coef[i + 24] * quant[q + 24];
            tmp3 = coef[i + 8] * quant[q + 8];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            const int shift1 = ConstBits - Pass1Bits;
            work[w] = Descale(tmp10 + tmp3, shift1);
            work[w + 56] = Descale(tmp10 - tmp3, shift1);
            work[w + 8] = Descale(tmp11 + tmp2, shift1);
            work[w + 48] = Descale(tmp11 - tmp2, shift1);
            work[w + 16] = Descale(tmp12 + tmp1, shift1);
            work[w + 40] = Descale(tmp12 - tmp1, shift1);
            work[w + 24] = Descale(tmp13 + tmp0, shift1);
            work[w + 32] = Descale(tmp13 - tmp0, shift1);
        }

        // Pass 2: rows, descaled to samples and level-shifted by 128.
        const int shift2 = ConstBits + Pass1Bits + 3;
        for (int row = 0; row < 8; row++)
        {
            int w = workOffset + (row * 8);
            int o = planeOffset + (row * stride);
            long z2 = work[w + 2];
            long z3 = work[w + 6];
            long z1 = (z2 + z3) * Fix0541196100;
            long tmp2 = z1 + (z3 * -Fix1847759065);
            long tmp3 = z1 + (z2 * Fix0765366865);

            long tmp0 = ((long)work[w] + work[w + 4]) << ConstBits;
            long tmp1 = ((long)work[w] - work[w + 4]) << ConstBits;

            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;

            tmp0 = work[w + 7];
            tmp1 = work[w + 5];
            tmp2 = work[w + 3];
            tmp3 = work[w + 1];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            plane[o] = Clamp(Descale(tmp10 + tmp3, shift2));
            plane[o + 7] = Clamp(Descale(tmp10 - tmp3, shift2));
            plane[o + 1] = Clamp(Descale(tmp11 + tmp2, shift2));
            plane[o + 6] = Clamp(Descale(tmp11 - tmp2, shift2));
            plane[o + 2] = Clamp(Descale(tmp12 + tmp1, shift2));
            plane[o + 5] = Clamp(Descale(tmp12 - tmp1, shift2));
            plane[o + 3] = Clamp(Descale(tmp13 + tmp0, shift2));
            plane[o + 4] = Clamp(Descale(tmp13 - tmp0, shift2));
        }
    }

    private static void Odd(ref long tmp0, ref long tmp1, ref long tmp2, ref long tmp3)
    {
        long z1 = tmp0 + tmp3;
        long z2 = tmp1 + tmp2;
        long z3 = tmp0 + tmp2;
        long z4 = tmp1 + tmp3;
        long z5 = (z3 + z4) * Fix1175875602;

        tmp0 *= Fix0298631336;
        tmp1 *= Fix2053119869;
        tmp2 *= Fix3072711026;
        tmp3 *= Fix1501321110;
        z1 *= -Fix0899976223;
        z2 *= -Fix2562915447;
        z3 *= -Fix1961570560;
        z4 *= -Fix0390180644;

        z3 += z5;
        z4 += z5;

        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }

    private static int Descale(long x, int n) => (int)((x + (1L << (n - 1))) >> n);

    private static byte Clamp(int v)
    {
        v += 128;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
