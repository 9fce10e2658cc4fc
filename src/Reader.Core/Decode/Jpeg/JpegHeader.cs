namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// Host-side JPEG header parsing for one tile: the IFD's JPEGTables first, then the tile's own
/// segments up to SOS (tiles may define or override tables; JPEGTables may be partial). Fills
/// the int descriptor, quantization tables and derived Huffman tables the decode bodies read.
/// Accepts baseline and extended-sequential 8-bit JPEG with one scan holding every component.
/// </summary>
internal sealed class JpegHeader
{
    /// <summary>Zig-zag index to natural (row-major) index.</summary>
    public static readonly int[] NaturalOrder =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private readonly byte[][] huffmanSpecs = new byte[HuffmanLayout.TablesPerSet][];
    private readonly int[] huffmanSpecLength = new int[HuffmanLayout.TablesPerSet];
    private readonly bool[] huffmanDerived = new bool[HuffmanLayout.TablesPerSet];
    private readonly bool[] quantDefined = new bool[4];
    private readonly int[] componentIds = new int[JpegLayout.MaxComponents];
    private readonly int[] componentQuant = new int[JpegLayout.MaxComponents];

    public JpegHeader()
    {
        for (int i = 0; i < huffmanSpecs.Length; i++)
        {
            huffmanSpecs[i] = new byte[16 + 256];
        }
    }

    /// <summary>The tile descriptor (<see cref="JpegLayout"/>).</summary>
    public int[] Descriptor { get; } = new int[JpegLayout.Size];

    /// <summary>Four quantization tables of 64 values in natural order.</summary>
    public int[] Quant { get; } = new int[4 * 64];

    /// <summary>Derived Huffman tables: DC 0-3 then AC 0-3 (<see cref="HuffmanLayout"/>).</summary>
    public int[] Huffman { get; } = new int[HuffmanLayout.SetStride];

    public int Width => Descriptor[JpegLayout.Width];

    public int Height => Descriptor[JpegLayout.Height];

    public int ComponentCount => Descriptor[JpegLayout.ComponentCount];

    /// <summary>Parses the tables then the tile. Returns null on success, else the reason (and whether it is unsupported rather than corrupt).</summary>
    public string? Parse(ReadOnlySpan<byte> tables, ReadOnlySpan<byte> tile, int colorMode, out bool unsupported)
    {
        unsupported = false;
        Array.Clear(quantDefined);
        for (int i = 0; i < HuffmanLayout.TablesPerSet; i++)
        {
            huffmanSpecLength[i] = -1; // undefined for this tile; derived content may be reused
        }

        Array.Clear(Descriptor);
        int restartInterval = 0;
        if (!tables.IsEmpty)
        {
            string? e = ParseSegments(tables, isTables: true, ref restartInterval, out _, ref unsupported);
            if (e is not null)
            {
                return "JPEGTables: " + e;
            }
        }

        string? error = ParseSegments(tile, isTables: false, ref restartInterval, out int scanStart, ref unsupported);
        if (error is not null)
        {
            return error;
        }

        Descriptor[JpegLayout.RestartInterval] = restartInterval;
        Descriptor[JpegLayout.DataStart] = scanStart;
        Descriptor[JpegLayout.DataEnd] = tile.Length;
        Descriptor[JpegLayout.ColorMode] = colorMode;
        return Layout();
    }

    private string? ParseSegments(ReadOnlySpan<byte> s, bool isTables, ref int restartInterval, out int scanStart, ref bool unsupported)
    {
        scanStart = 0;
        if (s.Length < 2 || s[0] != 0xFF || s[1] != 0xD8)
        {
            return "stream does not start with SOI";
        }

        int pos = 2;
        bool sawFrame = false;
        while (true)
        {
            if (pos >= s.Length)
            {
                return isTables ? null : "stream ends before SOS";
            }

            if (s[pos] != 0xFF)
            {
                return $"expected a marker at byte {pos}";
            }

            while (pos < s.Length && s[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= s.Length)
            {
                return "stream ends inside a marker";
            }

            int marker = s[pos++];
            if (marker == 0xD9)
            {
                return isTables ? null : "EOI before SOS";
            }

            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            {
                return $"unexpected marker 0x{marker:X2} in header";
            }

            if (pos + 2 > s.Length)
            {
                return "segment length truncated";
            }

            int length = (s[pos] << 8) | s[pos + 1];
            if (length < 2 || pos + length > s.Length)
            {
                return $"bad length {length} of marker 0x{marker:X2} segment";
            }

            ReadOnlySpan<byte> body = s.Slice(pos + 2, length - 2);
            int bodyStart = pos + 2;
            pos += length;
            string? e;
            switch (marker)
            {
                case 0xDB:
                    e = ParseQuant(body);
                    break;
                case 0xC4:
                    e = ParseHuffman(body);
                    break;
                case 0xDD:
                    if (body.Length != 2)
                    {
                        return "bad DRI length";
                    }

                    restartInterval = (body[0] << 8) | body[1];
                    e = null;
                    break;
                case 0xC0:
                case 0xC1:
                    if (isTables)
                    {
                        return "frame header inside JPEGTables";
                    }

                    if (sawFrame)
                    {
                        return "second frame header";
                    }

                    sawFrame = true;
                    e = ParseFrame(body, ref unsupported);
                    break;
                case 0xDA:
                    if (isTables || !sawFrame)
                    {
                        return isTables ? "scan inside JPEGTables" : "SOS before the frame header";
                    }

                    e = ParseScan(body, ref unsupported);
                    if (e is null)
                    {
                        scanStart = bodyStart + body.Length;
                        return null;
                    }

                    break;
                case >= 0xC2 and <= 0xCF when marker is not 0xC4 and not 0xC8 and not 0xCC:
                    unsupported = true;
                    return marker switch
                    {
                        0xC2 => "progressive JPEG is not supported by the managed decoder",
                        0xC3 => "lossless JPEG is not supported",
                        _ => $"JPEG process SOF{marker - 0xC0} (hierarchical or arithmetic) is not supported",
                    };
                case 0xCC:
                    unsupported = true;
                    return "arithmetic coding is not supported";
                case 0xDC:
                    unsupported = true;
                    return "DNL marker is not supported";
                default:
                    e = null; // APPn, COM, and anything else are skipped
                    break;
            }

            if (e is not null)
            {
                return e;
            }
        }
    }

    private string? ParseQuant(ReadOnlySpan<byte> body)
    {
        int p = 0;
        while (p < body.Length)
        {
            int pq = body[p] >> 4;
            int tq = body[p] & 15;
            p++;
            if (tq > 3 || pq > 1)
            {
                return $"bad DQT table {tq} precision {pq}";
            }

            int size = pq == 0 ? 64 : 128;
            if (p + size > body.Length)
            {
                return "DQT segment truncated";
            }

            for (int k = 0; k < 64; k++)
            {
                int value = pq == 0 ? body[p + k] : (body[p + (2 * k)] << 8) | body[p + (2 * k) + 1];
                Quant[(tq * 64) + NaturalOrder[k]] = value;
            }

            quantDefined[tq] = true;
            p += size;
        }

        return null;
    }

    private string? ParseHuffman(ReadOnlySpan<byte> body)
    {
        int p = 0;
        while (p < body.Length)
        {
            if (p + 17 > body.Length)
            {
                return "DHT segment truncated";
            }

            int tc = body[p] >> 4;
            int th = body[p] & 15;
            if (tc > 1 || th > 3)
            {
                return $"bad DHT class {tc} id {th}";
            }

            int count = 0;
            for (int i = 1; i <= 16; i++)
            {
                count += body[p + i];
            }

            if (count > 256 || p + 17 + count > body.Length)
            {
                return "bad DHT symbol count";
            }

            int slot = (tc * 4) + th;
            ReadOnlySpan<byte> spec = body.Slice(p + 1, 16 + count);
            byte[] stored = huffmanSpecs[slot];
            bool same = huffmanDerived[slot] && stored.AsSpan(0, 16 + count).SequenceEqual(spec) && StoredCount(stored) == count;
            if (!same)
            {
                spec.CopyTo(stored);
                huffmanDerived[slot] = false;
            }

            huffmanSpecLength[slot] = 16 + count;
            p += 17 + count;
        }

        return null;
    }

    private static int StoredCount(byte[] stored)
    {
        int n = 0;
        for (int i = 0; i < 16; i++)
        {
            n += stored[i];
        }

        return n;
    }

    private string? ParseFrame(ReadOnlySpan<byte> body, ref bool unsupported)
    {
        if (body.Length < 6)
        {
            return "SOF segment truncated";
        }

        int precision = body[0];
        int height = (body[1] << 8) | body[2];
        int width = (body[3] << 8) | body[4];
        int n = body[5];
        if (precision != 8)
        {
            unsupported = true;
            return $"{precision}-bit JPEG is not supported";
        }

        if (width == 0 || height == 0)
        {
            if (height == 0)
            {
                unsupported = true;
                return "JPEG with height defined by DNL is not supported";
            }

            return "JPEG frame has zero width";
        }

        if (n < 1 || n > JpegLayout.MaxComponents)
        {
            unsupported = n > JpegLayout.MaxComponents;
            return $"JPEG frame with {n} components";
        }

        if (body.Length < 6 + (3 * n))
        {
            return "SOF segment truncated";
        }

        int maxH = 1, maxV = 1;
        for (int c = 0; c < n; c++)
        {
            int id = body[6 + (3 * c)];
            int h = body[7 + (3 * c)] >> 4;
            int v = body[7 + (3 * c)] & 15;
            int tq = body[8 + (3 * c)];
            if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3)
            {
                return $"bad sampling {h}x{v} or quantization table {tq} of component {id}";
            }

            componentIds[c] = id;
            componentQuant[c] = tq;
            Descriptor[JpegLayout.Of(c, JpegLayout.H)] = h;
            Descriptor[JpegLayout.Of(c, JpegLayout.V)] = v;
            Descriptor[JpegLayout.Of(c, JpegLayout.QuantTable)] = tq;
            maxH = Math.Max(maxH, h);
            maxV = Math.Max(maxV, v);
        }

        Descriptor[JpegLayout.Width] = width;
        Descriptor[JpegLayout.Height] = height;
        Descriptor[JpegLayout.ComponentCount] = n;
        Descriptor[JpegLayout.MaxH] = maxH;
        Descriptor[JpegLayout.MaxV] = maxV;
        return null;
    }

    private string? ParseScan(ReadOnlySpan<byte> body, ref bool unsupported)
    {
        int n = body.Length > 0 ? body[0] : 0;
        if (n < 1 || n > 4 || body.Length != 4 + (2 * n))
        {
            return "bad SOS segment";
        }

        int frameComponents = Descriptor[JpegLayout.ComponentCount];
        if (n > frameComponents)
        {
            return $"scan lists {n} components, the frame has {frameComponents}";
        }

        for (int i = 0; i < n; i++)
        {
            int id = body[1 + (2 * i)];
            if (Array.IndexOf(componentIds, id, 0, frameComponents) < 0)
            {
                return $"scan component {id} is not in the frame";
            }
        }

        if (n != frameComponents)
        {
            unsupported = true;
            return "JPEG with several scans is not supported by the managed decoder";
        }

        for (int i = 0; i < n; i++)
        {
            int id = body[1 + (2 * i)];
            if (id != componentIds[i])
            {
                unsupported = true;
                return "scan components out of frame order";
            }

            int td = body[2 + (2 * i)] >> 4;
            int ta = body[2 + (2 * i)] & 15;
            if (td > 3 || ta > 3)
            {
                return "bad Huffman table selector in SOS";
            }

            Descriptor[JpegLayout.Of(i, JpegLayout.DcTable)] = td;
            Descriptor[JpegLayout.Of(i, JpegLayout.AcTable)] = ta;
        }

        int ss = body[1 + (2 * n)];
        int se = body[2 + (2 * n)];
        int a = body[3 + (2 * n)];
        if (ss != 0 || se != 63 || a != 0)
        {
            return "invalid SOS parameters for sequential JPEG";
        }

        Descriptor[JpegLayout.ScanComponentCount] = n;
        return null;
    }

    private string? Layout()
    {
        int[] d = Descriptor;
        int n = d[JpegLayout.ComponentCount];
        int width = d[JpegLayout.Width];
        int height = d[JpegLayout.Height];
        int maxH = d[JpegLayout.MaxH];
        int maxV = d[JpegLayout.MaxV];
        bool interleaved = n > 1;
        int mcusAcross, mcusDown;
        if (interleaved)
        {
            mcusAcross = DivUp(width, 8 * maxH);
            mcusDown = DivUp(height, 8 * maxV);
            int blocksInMcu = 0;
            for (int c = 0; c < n; c++)
            {
                blocksInMcu += d[JpegLayout.Of(c, JpegLayout.H)] * d[JpegLayout.Of(c, JpegLayout.V)];
            }

            if (blocksInMcu > 10)
            {
                return "sampling factors give more than 10 blocks per MCU";
            }
        }
        else
        {
            mcusAcross = DivUp(DivUp(width * d[JpegLayout.Of(0, JpegLayout.H)], maxH), 8);
            mcusDown = DivUp(DivUp(height * d[JpegLayout.Of(0, JpegLayout.V)], maxV), 8);
        }

        d[JpegLayout.McusAcross] = mcusAcross;
        d[JpegLayout.McusDown] = mcusDown;
        long coefficients = 0;
        long planeBytes = 0;
        for (int c = 0; c < n; c++)
        {
            int h = d[JpegLayout.Of(c, JpegLayout.H)];
            int v = d[JpegLayout.Of(c, JpegLayout.V)];
            if (maxH % h != 0 || maxV % v != 0)
            {
                return "fractional sampling ratios are not supported";
            }

            int blocksWide = interleaved ? mcusAcross * h : mcusAcross;
            int blocksHigh = interleaved ? mcusDown * v : mcusDown;
            d[JpegLayout.Of(c, JpegLayout.BlocksWide)] = blocksWide;
            d[JpegLayout.Of(c, JpegLayout.BlocksHigh)] = blocksHigh;
            d[JpegLayout.Of(c, JpegLayout.CoefficientBase)] = (int)coefficients;
            d[JpegLayout.Of(c, JpegLayout.PlaneBase)] = (int)planeBytes;
            d[JpegLayout.Of(c, JpegLayout.PlaneStride)] = blocksWide * 8;
            d[JpegLayout.Of(c, JpegLayout.SampledWidth)] = DivUp(width * h, maxH);
            d[JpegLayout.Of(c, JpegLayout.SampledHeight)] = DivUp(height * v, maxV);
            coefficients += (long)blocksWide * blocksHigh * 64;
            planeBytes += (long)blocksWide * blocksHigh * 64;

            if (!quantDefined[componentQuant[c]])
            {
                return $"quantization table {componentQuant[c]} is not defined";
            }

            string? e = Derive(d[JpegLayout.Of(c, JpegLayout.DcTable)], isDc: true) ?? Derive(d[JpegLayout.Of(c, JpegLayout.AcTable)], isDc: false);
            if (e is not null)
            {
                return e;
            }
        }

        if (coefficients > int.MaxValue / 2)
        {
            return "JPEG too large";
        }

        d[JpegLayout.TotalCoefficients] = (int)coefficients;
        d[JpegLayout.TotalPlaneBytes] = (int)planeBytes;
        return null;
    }

    private string? Derive(int id, bool isDc)
    {
        int slot = (isDc ? 0 : 4) + id;
        if (huffmanSpecLength[slot] < 0)
        {
            // Neither JPEGTables nor this tile defines it. (A table left by an earlier tile does not count:
            // each TIFF tile must decode on its own.)
            return $"{(isDc ? "DC" : "AC")} Huffman table {id} is not defined";
        }

        if (huffmanDerived[slot])
        {
            return null;
        }

        byte[] spec = huffmanSpecs[slot];
        int baseOffset = slot * HuffmanLayout.Stride;
        int[] t = Huffman;
        Array.Clear(t, baseOffset, HuffmanLayout.Stride);
        Span<int> sizes = stackalloc int[257];
        Span<int> codes = stackalloc int[257];
        int p = 0;
        for (int l = 1; l <= 16; l++)
        {
            for (int i = 0; i < spec[l - 1]; i++)
            {
                sizes[p++] = l;
            }
        }

        int count = p;
        sizes[p] = 0;
        int code = 0;
        int si = sizes[0];
        p = 0;
        while (sizes[p] != 0)
        {
            while (sizes[p] == si)
            {
                codes[p++] = code++;
            }

            if (code >= 1 << si)
            {
                return $"bad {(isDc ? "DC" : "AC")} Huffman table {id}";
            }

            code <<= 1;
            si++;
        }

        p = 0;
        for (int l = 1; l <= 16; l++)
        {
            int n = spec[l - 1];
            if (n > 0)
            {
                t[baseOffset + HuffmanLayout.ValueOffset + l] = p - codes[p];
                p += n;
                t[baseOffset + HuffmanLayout.MaxCode + l] = codes[p - 1];
            }
            else
            {
                t[baseOffset + HuffmanLayout.MaxCode + l] = -1;
            }
        }

        t[baseOffset + HuffmanLayout.MaxCode + 17] = 0xFFFFF;
        for (int i = 0; i < count; i++)
        {
            int symbol = spec[16 + i];
            if (isDc && symbol > 15)
            {
                return $"bad DC Huffman table {id}: symbol {symbol}";
            }

            t[baseOffset + HuffmanLayout.Values + i] = symbol;
            int length = sizes[i];
            if (length <= HuffmanLayout.LookaheadBits)
            {
                int shift = HuffmanLayout.LookaheadBits - length;
                int first = codes[i] << shift;
                for (int j = 0; j < 1 << shift; j++)
                {
                    t[baseOffset + HuffmanLayout.Lookahead + first + j] = (length << 8) | symbol;
                }
            }
        }

        huffmanDerived[slot] = true;
        return null;
    }

    private static int DivUp(int a, int b) => (a + b - 1) / b;
}
