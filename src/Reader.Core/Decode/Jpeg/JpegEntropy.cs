namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// Baseline (sequential, 8-bit) Huffman decoding of one tile's scan into quantized
/// coefficients in natural order, one call per tile. Written for both the CPU and
/// ILGPU: no arrays, no exceptions, no allocation; failures are <see cref="JpegStatus"/> codes.
/// Corrupt-data handling follows libjpeg-turbo where it decides pixels (run lengths past 63
/// land on coefficient 63) and is stricter where libjpeg would only warn (our native shim
/// turns those warnings into errors too).
/// </summary>
internal static class JpegEntropy
{
    public static int DecodeScan<TData, TDesc, THuff, TNatural, TCoef>(
        TData data, TDesc desc, THuff huff, int huffBase, TNatural natural, TCoef coef)
        where TData : struct, IByteView
        where TDesc : struct, IIntView
        where THuff : struct, IIntView
        where TNatural : struct, IIntView
        where TCoef : struct, IShortView
    {
        int pos = desc[JpegLayout.DataStart];
        int end = desc[JpegLayout.DataEnd];
        int scanComponents = desc[JpegLayout.ScanComponentCount];
        int mcusAcross = desc[JpegLayout.McusAcross];
        int mcuCount = mcusAcross * desc[JpegLayout.McusDown];
        int restartInterval = desc[JpegLayout.RestartInterval];

        ulong acc = 0;
        int nbits = 0;
        int padBits = 0;
        int markerPos = -1;
        int pred0 = 0, pred1 = 0, pred2 = 0, pred3 = 0;
        int restartsToGo = restartInterval;
        int nextRestart = 0;

        for (int m = 0; m < mcuCount; m++)
        {
            if (restartInterval > 0)
            {
                if (restartsToGo == 0)
                {
                    int rs = Restart(data, ref acc, ref nbits, ref padBits, ref pos, end, ref markerPos, nextRestart);
                    if (rs != JpegStatus.Ok)
                    {
                        desc[JpegLayout.ScanEnd] = pos;
                        return rs;
                    }

                    pred0 = pred1 = pred2 = pred3 = 0;
                    restartsToGo = restartInterval;
                    nextRestart = (nextRestart + 1) & 7;
                }

                restartsToGo--;
            }

            int mx = m % mcusAcross;
            int my = m / mcusAcross;
            for (int c = 0; c < scanComponents; c++)
            {
                int h = 1, v = 1;
                if (scanComponents > 1)
                {
                    h = desc[JpegLayout.Of(c, JpegLayout.H)];
                    v = desc[JpegLayout.Of(c, JpegLayout.V)];
                }

                int dcTable = huffBase + (desc[JpegLayout.Of(c, JpegLayout.DcTable)] * HuffmanLayout.Stride);
                int acTable = huffBase + ((4 + desc[JpegLayout.Of(c, JpegLayout.AcTable)]) * HuffmanLayout.Stride);
                int coefBase = desc[JpegLayout.Of(c, JpegLayout.CoefficientBase)];
                int blocksWide = desc[JpegLayout.Of(c, JpegLayout.BlocksWide)];
                for (int by = 0; by < v; by++)
                {
                    for (int bx = 0; bx < h; bx++)
                    {
                        int block = coefBase + (((((my * v) + by) * blocksWide) + (mx * h) + bx) * 64);
                        for (int i = 0; i < 64; i++)
                        {
                            coef[block + i] = 0;
                        }

                        if (nbits < 32)
                        {
                            Fill(data, ref acc, ref nbits, ref padBits, ref pos, end, ref markerPos);
                        }

                        int s = DecodeSymbol(huff, dcTable, acc, ref nbits);
                        if (s < 0)
                        {
                            desc[JpegLayout.ScanEnd] = pos;
                            return JpegStatus.BadHuffmanCode;
                        }

                        int diff = Receive(acc, ref nbits, s);
                        int predicted;
                        if (c == 0)
                        {
                            pred0 += diff;
                            predicted = pred0;
                        }
                        else if (c == 1)
                        {
                            pred1 += diff;
                            predicted = pred1;
                        }
                        else if (c == 2)
                        {
                            pred2 += diff;
                            predicted = pred2;
                        }
                        else
                        {
                            pred3 += diff;
                            predicted = pred3;
                        }

                        coef[block] = (short)predicted;
                        if (nbits < padBits)
                        {
                            desc[JpegLayout.ScanEnd] = pos;
                            return JpegStatus.PrematureEnd;
                        }

                        for (int k = 1; k < 64; k++)
                        {
                            if (nbits < 32)
                            {
                                Fill(data, ref acc, ref nbits, ref padBits, ref pos, end, ref markerPos);
                            }

                            int rs = DecodeSymbol(huff, acTable, acc, ref nbits);
                            if (rs < 0)
                            {
                                desc[JpegLayout.ScanEnd] = pos;
                                return JpegStatus.BadHuffmanCode;
                            }

                            int r = rs >> 4;
                            int size = rs & 15;
                            if (size != 0)
                            {
                                k += r;
                                int value = Receive(acc, ref nbits, size);
                                coef[block + natural[k > 63 ? 63 : k]] = (short)value;
                            }
                            else
                            {
                                if (r != 15)
                                {
                                    break;
                                }

                                k += 15;
                            }
                        }

                        if (nbits < padBits)
                        {
                            desc[JpegLayout.ScanEnd] = pos;
                            return JpegStatus.PrematureEnd;
                        }
                    }
                }
            }
        }

        // Whole unread bytes left before the next marker are extraneous data to libjpeg.
        if (nbits - padBits >= 8)
        {
            desc[JpegLayout.ScanEnd] = pos;
            return JpegStatus.ExtraneousData;
        }

        int p = markerPos;
        if (p < 0)
        {
            if (pos >= end)
            {
                desc[JpegLayout.ScanEnd] = end;
                return JpegStatus.MissingEndOfImage;
            }

            if (data[pos] != 0xFF)
            {
                desc[JpegLayout.ScanEnd] = pos;
                return JpegStatus.ExtraneousData;
            }

            p = pos;
        }

        desc[JpegLayout.ScanEnd] = p;
        while (p < end && data[p] == 0xFF)
        {
            p++;
        }

        if (p >= end)
        {
            return JpegStatus.MissingEndOfImage;
        }

        return data[p] == 0xD9 ? JpegStatus.Ok : JpegStatus.MarkerAfterScan;
    }

    private static void Fill<TData>(TData data, ref ulong acc, ref int nbits, ref int padBits, ref int pos, int end, ref int markerPos)
        where TData : struct, IByteView
    {
        while (nbits <= 56)
        {
            int b = 0;
            if (markerPos < 0 && pos < end)
            {
                int c = data[pos];
                if (c != 0xFF)
                {
                    b = c;
                    pos++;
                }
                else
                {
                    int q = pos + 1;
                    while (q < end && data[q] == 0xFF)
                    {
                        q++; // fill bytes
                    }

                    if (q < end && data[q] == 0)
                    {
                        b = 0xFF; // stuffed zero
                        pos = q + 1;
                    }
                    else
                    {
                        markerPos = pos; // a marker: only zero bits from here on
                        padBits += 8;
                    }
                }
            }
            else
            {
                padBits += 8;
            }

            acc = (acc << 8) | (uint)b;
            nbits += 8;
        }
    }

    internal static int DecodeSymbol<THuff>(THuff huff, int table, ulong acc, ref int nbits)
        where THuff : struct, IIntView
    {
        int look = (int)(acc >> (nbits - HuffmanLayout.LookaheadBits)) & ((1 << HuffmanLayout.LookaheadBits) - 1);
        int entry = huff[table + HuffmanLayout.Lookahead + look];
        if (entry != 0)
        {
            nbits -= entry >> 8;
            return entry & 0xFF;
        }

        int length = HuffmanLayout.LookaheadBits + 1;
        int code = (int)(acc >> (nbits - length)) & ((1 << length) - 1);
        while (code > huff[table + HuffmanLayout.MaxCode + length])
        {
            length++;
            if (length > 16)
            {
                return -1;
            }

            code = (int)(acc >> (nbits - length)) & ((1 << length) - 1);
        }

        nbits -= length;
        return huff[table + HuffmanLayout.Values + code + huff[table + HuffmanLayout.ValueOffset + length]] & 0xFF;
    }

    internal static int Receive(ulong acc, ref int nbits, int size)
    {
        if (size == 0)
        {
            return 0;
        }

        int r = (int)(acc >> (nbits - size)) & ((1 << size) - 1);
        nbits -= size;
        return r < (1 << (size - 1)) ? r - (1 << size) + 1 : r;
    }

    private static int Restart<TData>(TData data, ref ulong acc, ref int nbits, ref int padBits, ref int pos, int end, ref int markerPos, int expected)
        where TData : struct, IByteView
    {
        if (nbits - padBits >= 8)
        {
            return JpegStatus.ExtraneousData;
        }

        int p = markerPos;
        if (p < 0)
        {
            if (pos >= end)
            {
                return JpegStatus.BadRestartMarker;
            }

            if (data[pos] != 0xFF)
            {
                return JpegStatus.ExtraneousData;
            }

            p = pos;
        }

        while (p < end && data[p] == 0xFF)
        {
            p++;
        }

        if (p >= end || data[p] != 0xD0 + expected)
        {
            pos = p;
            return JpegStatus.BadRestartMarker;
        }

        pos = p + 1;
        markerPos = -1;
        acc = 0;
        nbits = 0;
        padBits = 0;
        return JpegStatus.Ok;
    }
}
