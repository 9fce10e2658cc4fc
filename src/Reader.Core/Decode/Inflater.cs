using Reader.Core.Decode.Jpeg;

namespace Reader.Core.Decode;

/// <summary>Results of <see cref="Inflater"/>; anything but Ok sends the tile to the CPU decoder, which judges it.</summary>
internal static class InflateStatus
{
    public const int Ok = 0;
    public const int BadHeader = 1;
    public const int BadBlock = 2;
    public const int BadCode = 3;
    public const int TooLong = 4;
    public const int Truncated = 5;
    public const int BadChecksum = 6;
    public const int BadDistance = 7;
    public const int TooShort = 8;

    public static string Describe(int status) => status switch
    {
        Ok => "ok",
        BadHeader => "bad zlib header",
        BadBlock => "bad deflate block",
        BadCode => "bad Huffman code",
        TooLong => "data expands beyond the tile",
        Truncated => "data truncated",
        BadChecksum => "Adler-32 mismatch",
        BadDistance => "distance too far back",
        TooShort => "data ends before the tile's visible rows",
        _ => "inflate status " + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// zlib-wrapped deflate (RFC 1950/1951) decoded by one thread into a caller's buffer, written for the CPU and ILGPU
/// alike (no arrays, no exceptions: canonical Huffman tables live in an int scratch view). Stored, fixed and
/// dynamic blocks, LZ77 copies, the Adler-32 check. It is stricter than zlib and libdeflate wherever they differ
/// (more than 286 length or 30 distance codes, incomplete codes other than an empty or one-code distance tree):
/// a stream it refuses goes to the CPU decoder, so a stream it accepts decodes as theirs does.
/// </summary>
internal static class Inflater
{
    // Scratch layout (ints): code counts and symbols for literal/length, distance and code-length codes, the lengths read, offsets.
    private const int LitCount = 0;
    private const int LitSymbols = 16;
    private const int DistCount = LitSymbols + 288;
    private const int DistSymbols = DistCount + 16;
    private const int Lengths = DistSymbols + 32;
    private const int ClCount = Lengths + 320;
    private const int ClSymbols = ClCount + 16;
    private const int Offsets = ClSymbols + 19;

    /// <summary>Ints of scratch one stream needs.</summary>
    public const int ScratchInts = Offsets + 16;

    /// <summary>
    /// Inflates input[inStart, inEnd) into output[outStart, outStart + capacity); <paramref name="written"/> is the
    /// decoded length. Returns an <see cref="InflateStatus"/>.
    /// </summary>
    public static int Inflate<TIn, TOut, TScratch>(TIn input, int inStart, int inEnd, TOut output, int outStart, int capacity, TScratch s, int sBase, out int written)
        where TIn : struct, IByteView
        where TOut : struct, IByteView
        where TScratch : struct, IIntView
    {
        written = 0;
        if (inEnd - inStart < 6)
        {
            return InflateStatus.Truncated;
        }

        int cmf = input[inStart];
        int flg = input[inStart + 1];
        if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || (((cmf << 8) | flg) % 31) != 0 || (flg & 0x20) != 0)
        {
            return InflateStatus.BadHeader;
        }

        var bits = new BitReader(inStart + 2, inEnd);
        int o = 0;
        int last = 0;
        while (last == 0)
        {
            if (!bits.Need(input, 3))
            {
                return InflateStatus.Truncated;
            }

            last = bits.Take(1);
            int type = bits.Take(2);
            int status;
            if (type == 0)
            {
                status = Stored(input, ref bits, output, outStart, capacity, ref o);
            }
            else if (type == 1)
            {
                FixedTables(s, sBase);
                status = Codes(input, ref bits, output, outStart, capacity, ref o, s, sBase);
            }
            else if (type == 2)
            {
                status = DynamicTables(input, ref bits, s, sBase);
                if (status == InflateStatus.Ok)
                {
                    status = Codes(input, ref bits, output, outStart, capacity, ref o, s, sBase);
                }
            }
            else
            {
                status = InflateStatus.BadBlock;
            }

            if (status != InflateStatus.Ok)
            {
                written = o;
                return status;
            }
        }

        // Adler-32 of the output, big-endian, at the next byte boundary.
        bits.AlignToByte();
        int p = bits.Position;
        written = o;
        if (p + 4 > inEnd)
        {
            return InflateStatus.Truncated;
        }

        uint a = 1, b = 0;
        for (int i = 0; i < o; i++)
        {
            a += output[outStart + i];
            if (a >= 65521)
            {
                a -= 65521;
            }

            b += a;
            if (b >= 65521)
            {
                b -= 65521;
            }
        }

        uint expected = ((uint)input[p] << 24) | ((uint)input[p + 1] << 16) | ((uint)input[p + 2] << 8) | input[p + 3];
        return ((b << 16) | a) == expected ? InflateStatus.Ok : InflateStatus.BadChecksum;
    }

    private static int Stored<TIn, TOut>(TIn input, ref BitReader bits, TOut output, int outStart, int capacity, ref int o)
        where TIn : struct, IByteView
        where TOut : struct, IByteView
    {
        bits.AlignToByte();
        int p = bits.Position;
        if (p + 4 > bits.End)
        {
            return InflateStatus.Truncated;
        }

        int length = input[p] | (input[p + 1] << 8);
        int complement = input[p + 2] | (input[p + 3] << 8);
        if ((length ^ 0xFFFF) != complement)
        {
            return InflateStatus.BadBlock;
        }

        p += 4;
        if (p + length > bits.End)
        {
            return InflateStatus.Truncated;
        }

        if (o + length > capacity)
        {
            return InflateStatus.TooLong;
        }

        for (int i = 0; i < length; i++)
        {
            output[outStart + o + i] = input[p + i];
        }

        o += length;
        bits.Skip(p + length);
        return InflateStatus.Ok;
    }

    private static int Codes<TIn, TOut, TScratch>(TIn input, ref BitReader bits, TOut output, int outStart, int capacity, ref int o, TScratch s, int sBase)
        where TIn : struct, IByteView
        where TOut : struct, IByteView
        where TScratch : struct, IIntView
    {
        while (true)
        {
            int symbol = Decode(input, ref bits, s, sBase + LitCount, sBase + LitSymbols);
            if (symbol < 0)
            {
                return symbol == -2 ? InflateStatus.Truncated : InflateStatus.BadCode;
            }

            if (symbol < 256)
            {
                if (o >= capacity)
                {
                    return InflateStatus.TooLong;
                }

                output[outStart + o] = (byte)symbol;
                o++;
                continue;
            }

            if (symbol == 256)
            {
                return InflateStatus.Ok;
            }

            int i = symbol - 257;
            if (i >= 29)
            {
                return InflateStatus.BadCode; // 286 and 287 are never valid
            }

            int extra = i < 8 || i == 28 ? 0 : (i - 4) >> 2;
            int length = i < 8 ? 3 + i : i == 28 ? 258 : ((4 + (i & 3)) << extra) + 3;
            if (!bits.Need(input, extra))
            {
                return InflateStatus.Truncated;
            }

            length += bits.Take(extra);
            int d = Decode(input, ref bits, s, sBase + DistCount, sBase + DistSymbols);
            if (d < 0)
            {
                return d == -2 ? InflateStatus.Truncated : InflateStatus.BadCode;
            }

            if (d >= 30)
            {
                return InflateStatus.BadCode;
            }

            int dExtra = d < 4 ? 0 : (d - 2) >> 1;
            int distance = d < 4 ? d + 1 : ((2 + (d & 1)) << dExtra) + 1;
            if (!bits.Need(input, dExtra))
            {
                return InflateStatus.Truncated;
            }

            distance += bits.Take(dExtra);
            if (distance > o)
            {
                return InflateStatus.BadDistance;
            }

            if (o + length > capacity)
            {
                return InflateStatus.TooLong;
            }

            for (int k = 0; k < length; k++)
            {
                output[outStart + o + k] = output[outStart + o + k - distance]; // byte by byte: overlapping copies repeat
            }

            o += length;
        }
    }

    /// <summary>A symbol of the canonical code at counts/symbols; -1 for a code not in the table, -2 when the input ends.</summary>
    private static int Decode<TIn, TScratch>(TIn input, ref BitReader bits, TScratch s, int counts, int symbols)
        where TIn : struct, IByteView
        where TScratch : struct, IIntView
    {
        int code = 0, first = 0, index = 0;
        for (int length = 1; length <= 15; length++)
        {
            if (!bits.Need(input, 1))
            {
                return -2;
            }

            code |= bits.Take(1);
            int count = s[counts + length];
            if (code - first < count)
            {
                return s[symbols + index + (code - first)];
            }

            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }

        return -1;
    }

    private static void FixedTables<TScratch>(TScratch s, int sBase)
        where TScratch : struct, IIntView
    {
        for (int i = 0; i < 288; i++)
        {
            s[sBase + Lengths + i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        }

        Build(s, sBase, sBase + Lengths, 288, sBase + LitCount, sBase + LitSymbols);
        for (int i = 0; i < 30; i++)
        {
            s[sBase + Lengths + i] = 5;
        }

        Build(s, sBase, sBase + Lengths, 30, sBase + DistCount, sBase + DistSymbols);
    }

    private static int DynamicTables<TIn, TScratch>(TIn input, ref BitReader bits, TScratch s, int sBase)
        where TIn : struct, IByteView
        where TScratch : struct, IIntView
    {
        if (!bits.Need(input, 14))
        {
            return InflateStatus.Truncated;
        }

        int nlen = bits.Take(5) + 257;
        int ndist = bits.Take(5) + 1;
        int ncode = bits.Take(4) + 4;
        if (nlen > 286 || ndist > 30)
        {
            return InflateStatus.BadBlock;
        }

        for (int i = 0; i < 19; i++)
        {
            s[sBase + Lengths + CodeLengthOrder(i)] = 0;
        }

        for (int i = 0; i < ncode; i++)
        {
            if (!bits.Need(input, 3))
            {
                return InflateStatus.Truncated;
            }

            s[sBase + Lengths + CodeLengthOrder(i)] = bits.Take(3);
        }

        if (Build(s, sBase, sBase + Lengths, 19, sBase + ClCount, sBase + ClSymbols) != 0)
        {
            return InflateStatus.BadBlock; // the code-length code must be complete
        }

        int n = 0;
        while (n < nlen + ndist)
        {
            int symbol = Decode(input, ref bits, s, sBase + ClCount, sBase + ClSymbols);
            if (symbol < 0)
            {
                return symbol == -2 ? InflateStatus.Truncated : InflateStatus.BadCode;
            }

            if (symbol < 16)
            {
                s[sBase + Lengths + n] = symbol;
                n++;
                continue;
            }

            int repeat, value = 0;
            if (symbol == 16)
            {
                if (n == 0)
                {
                    return InflateStatus.BadBlock;
                }

                value = s[sBase + Lengths + n - 1];
                if (!bits.Need(input, 2))
                {
                    return InflateStatus.Truncated;
                }

                repeat = 3 + bits.Take(2);
            }
            else if (symbol == 17)
            {
                if (!bits.Need(input, 3))
                {
                    return InflateStatus.Truncated;
                }

                repeat = 3 + bits.Take(3);
            }
            else
            {
                if (!bits.Need(input, 7))
                {
                    return InflateStatus.Truncated;
                }

                repeat = 11 + bits.Take(7);
            }

            if (n + repeat > nlen + ndist)
            {
                return InflateStatus.BadBlock;
            }

            for (int r = 0; r < repeat; r++)
            {
                s[sBase + Lengths + n] = value;
                n++;
            }
        }

        if (s[sBase + Lengths + 256] == 0)
        {
            return InflateStatus.BadBlock; // no end-of-block code
        }

        int left = Build(s, sBase, sBase + Lengths, nlen, sBase + LitCount, sBase + LitSymbols);
        if (left < 0 || (left > 0 && !SingleShortCode(s, sBase + LitCount)))
        {
            return InflateStatus.BadBlock;
        }

        left = Build(s, sBase, sBase + Lengths + nlen, ndist, sBase + DistCount, sBase + DistSymbols);
        if (left < 0 || (left > 0 && left != 1 << 15 && !SingleShortCode(s, sBase + DistCount)))
        {
            return InflateStatus.BadBlock; // incomplete: only an empty or a one-code distance tree is accepted
        }

        return InflateStatus.Ok;
    }

    /// <summary>True when the code has exactly one code, of length 1 (the incomplete code every inflater accepts).</summary>
    private static bool SingleShortCode<TScratch>(TScratch s, int counts)
        where TScratch : struct, IIntView
    {
        if (s[counts + 1] != 1)
        {
            return false;
        }

        for (int length = 2; length <= 15; length++)
        {
            if (s[counts + length] != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Builds a canonical code from <paramref name="n"/> lengths: counts per length and symbols in code order.
    /// Returns the code space left (0 complete, &gt; 0 incomplete, &lt; 0 over-subscribed).
    /// </summary>
    private static int Build<TScratch>(TScratch s, int sBase, int lengths, int n, int counts, int symbols)
        where TScratch : struct, IIntView
    {
        for (int length = 0; length < 16; length++)
        {
            s[counts + length] = 0;
        }

        for (int i = 0; i < n; i++)
        {
            s[counts + s[lengths + i]]++;
        }

        int left = 1;
        for (int length = 1; length < 16; length++)
        {
            left <<= 1;
            left -= s[counts + length];
            if (left < 0)
            {
                return left;
            }
        }

        int offsets = sBase + Offsets;
        s[offsets + 1] = 0;
        for (int length = 1; length < 15; length++)
        {
            s[offsets + length + 1] = s[offsets + length] + s[counts + length];
        }

        for (int i = 0; i < n; i++)
        {
            int length = s[lengths + i];
            if (length != 0)
            {
                s[symbols + s[offsets + length]] = i;
                s[offsets + length]++;
            }
        }

        return left;
    }

    private static int CodeLengthOrder(int i) => i switch
    {
        0 => 16,
        1 => 17,
        2 => 18,
        3 => 0,
        4 => 8,
        5 => 7,
        6 => 9,
        7 => 6,
        8 => 10,
        9 => 5,
        10 => 11,
        11 => 4,
        12 => 12,
        13 => 3,
        14 => 13,
        15 => 2,
        16 => 14,
        17 => 1,
        _ => 15,
    };

    /// <summary>LSB-first bits of the input, loaded a byte at a time as needed (so at most 7 bits are ever buffered past the consumed ones).</summary>
    private struct BitReader(int position, int end)
    {
        private uint buffer;
        private int count;

        public int Position { get; private set; } = position;

        public int End { get; } = end;

        public bool Need<TIn>(TIn input, int n)
            where TIn : struct, IByteView
        {
            while (count < n)
            {
                if (Position >= End)
                {
                    return false;
                }

                buffer |= (uint)input[Position] << count;
                Position++;
                count += 8;
            }

            return true;
        }

        public int Take(int n)
        {
            int v = (int)(buffer & ((1u << n) - 1));
            buffer >>= n;
            count -= n;
            return v;
        }

        /// <summary>Drops the bits left in the current byte.</summary>
        public void AlignToByte()
        {
            buffer = 0;
            count = 0;
        }

        public void Skip(int to)
        {
            Position = to;
            buffer = 0;
            count = 0;
        }
    }
}
