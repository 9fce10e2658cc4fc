namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// The int record of one entropy-coded segment (a restart interval, or the whole scan without restart
/// markers) of a destuffed batch: where its bits lie in the clean buffer and which blocks it codes.
/// </summary>
internal static class JpegSegment
{
    /// <summary>The tile (descriptor index) the segment belongs to.</summary>
    public const int Tile = 0;

    /// <summary>First bit of the segment in the clean (destuffed) buffer.</summary>
    public const int BitStart = 1;

    /// <summary>One past its last bit (byte aligned: a segment ends at a marker).</summary>
    public const int BitEnd = 2;

    /// <summary>Its first block in the batch's decode-order block numbering (the DC arrays).</summary>
    public const int FirstBlock = 3;

    /// <summary>Blocks it codes (its MCUs times the blocks per MCU).</summary>
    public const int Blocks = 4;

    /// <summary>Its first MCU within the tile.</summary>
    public const int FirstMcu = 5;

    /// <summary>Its first subsequence.</summary>
    public const int FirstSub = 6;

    /// <summary>Its subsequences (at least one).</summary>
    public const int SubCount = 7;

    /// <summary>
    /// The period of the MCU's table sequence: blocks b and b + Period of an MCU use the same Huffman tables
    /// (1 when all components share them, as Aperio's RGB-coded tiles do). Decoding cannot tell such blocks
    /// apart, so states compare the block index modulo it: otherwise the phase would only be corrected one
    /// subsequence per round. Placement comes from block counts, never from this index.
    /// </summary>
    public const int Period = 8;

    public const int Size = 9;
}

/// <summary>
/// Parallel Huffman decoding of destuffed baseline scans (Weißenberger and Schmidt's self-synchronising
/// decoder, ICPP 2018): every segment is split into subsequences of a fixed number of bits, one thread each.
/// A thread decodes the codewords that start in its subsequence from an entry state (bit, block within the
/// MCU, coefficient index); the state where it leaves is the next subsequence's entry. Entries start as a
/// guess (a block's DC at the subsequence's first bit, exact for a segment's first subsequence) and are
/// corrected in rounds (<see cref="Sync"/>) until no exit changes, which Huffman codes reach within a few
/// codewords; then a prefix sum of the block counts places every subsequence's output and <see cref="Write"/>
/// decodes again, writing AC coefficients in place and DC differences for a segmented scan (<see cref="DcFix"/>).
/// The arithmetic (symbol decode, value extension, the run-length clamp at coefficient 63, the end-of-segment
/// checks) is <see cref="JpegEntropy"/>'s, so tiles come out byte-identical to libjpeg-turbo. Written for
/// the CPU and ILGPU alike: no arrays, no exceptions, status codes.
/// </summary>
internal static class JpegSubsequences
{
    /// <summary>An entry state that no decode reached (a bad code on the way).</summary>
    public const long Invalid = -1;

    /// <summary>Status for a tile whose entries did not settle within the rounds allowed.</summary>
    public const int NotSynchronised = 7;

    /// <summary>Packs a state (kept in a long while decoding): the bit where the next codeword starts, the block within the MCU, the coefficient index (0 = DC).</summary>
    public static long State(int bit, int block, int k) => ((long)bit << 16) | ((long)block << 8) | (long)k;

    public static int BitOf(long state) => (int)(state >> 16);

    // A stored entry is 32 bits (int atomics are everywhere, 64-bit ones are not): the writer's priority, then the
    // state relative to its subsequence's first bit (an entry lies at most a codeword past it), block index, coefficient.
    private const int OffsetInvalid = 255;
    private const int StateBits = 18;

    /// <summary>An entry as stored for the subsequence starting at <paramref name="start"/>, under a priority (the writer's distance upstream: the most upstream writer wins an atomic max).</summary>
    public static int Key(int priority, long state, int start)
    {
        int offset = state == Invalid ? OffsetInvalid : BitOf(state) - start;
        if (offset < 0 || offset >= OffsetInvalid)
        {
            return (priority << 24) | (OffsetInvalid << 10) | 0x3FF; // not representable: read back as no entry (guessed again)
        }

        return (priority << 24) | (offset << 10) | (int)(((state >> 8) & 0xF) << 6) | (int)(state & 0x3F);
    }

    /// <summary>The state of a stored entry of the subsequence starting at <paramref name="start"/>.</summary>
    public static long Unkey(int key, int start)
    {
        int offset = (key >> 10) & 0xFF;
        return offset == OffsetInvalid ? Invalid : State(start + offset, (key >> 6) & 0xF, key & 0x3F);
    }

    /// <summary>
    /// How many subsequences a thread may decode in one round: its own and, while its exits disagree with the
    /// entries read, the following ones (Weißenberger and Schmidt's continuation), at most 8 kbit in all.
    /// </summary>
    public static int Lookahead(int subsequenceBits)
    {
        int n = 8192 / subsequenceBits; // no Math.Clamp in kernels: it can throw
        return n < 1 ? 1 : n > 32 ? 32 : n;
    }

    /// <summary>
    /// One synchronisation round from subsequence <paramref name="sub"/>: decodes from its entry in <paramref name="entries"/>
    /// (the guess in round 1 and at a segment's start) and stores its block count; then offers each exit as the next
    /// subsequence's entry in <paramref name="next"/> (an atomic max: the most upstream writer wins, and only writers
    /// whose own entry was right can be upstream of a correct prefix) and, while the exit differs from the entry read
    /// there, goes on decoding that subsequence too (after round 1, up to <see cref="Lookahead"/>). Entries are double
    /// buffered, so rounds are deterministic. <paramref name="changed"/> when any exit differed; returns the bits consumed.
    /// </summary>
    public static int Sync<TData, TDesc, THuff, TSeg, TEntries, TInts>(
        int sub, int subsequenceBits, int round, TData data, TDesc descriptors, THuff huff, TSeg segments, TInts subSegment, TEntries entries, TEntries next, TInts blocks, out bool changed, out int tile)
        where TData : struct, IByteView
        where TDesc : struct, IIntView
        where THuff : struct, IIntView
        where TSeg : struct, IIntView
        where TEntries : struct, IAtomicIntView
        where TInts : struct, IIntView
    {
        int seg = subSegment[sub] * JpegSegment.Size;
        tile = segments[seg + JpegSegment.Tile];
        int firstSub = segments[seg + JpegSegment.FirstSub];
        int subCount = segments[seg + JpegSegment.SubCount];
        int segStart = segments[seg + JpegSegment.BitStart];
        int segEnd = segments[seg + JpegSegment.BitEnd];
        int period = segments[seg + JpegSegment.Period];
        int index = sub - firstSub;
        int start = segStart + (index * subsequenceBits);
        long entry = round == 1 || index == 0 ? State(start, 0, 0) : Unkey(entries[sub], start);
        if (entry == Invalid)
        {
            entry = State(start, 0, 0); // no decode reached it: guess again
        }

        int lookahead = Lookahead(subsequenceBits);
        if (index == 0)
        {
            next[sub] = Key(lookahead + 1, entry, start); // exact: the segment starts with block 0's DC (no one else writes it)
        }

        int d = tile * JpegLayout.Size;
        int huffBase = descriptors[d + JpegLayout.TableSet] * HuffmanLayout.SetStride;
        var none = default(NoShorts);
        var noInts = default(NoInts);
        changed = false;
        int consumed = 0;
        long state = entry;
        int reach = round == 1 ? 1 : lookahead;
        for (int m = 1; m <= reach; m++)
        {
            int at = index + m - 1; // the subsequence decoded now, within the segment
            bool last = at == subCount - 1;
            int from = segStart + (at * subsequenceBits);
            int end = last ? segEnd : from + subsequenceBits;
            if (state == Invalid)
            {
                state = State(from, 0, 0);
            }

            Walk(data, descriptors, d, huff, huffBase, noInts, none, noInts, noInts, 0, 0, 0, segEnd, end, last, period, state, -1, out long exit, out int count, out _);
            consumed += (exit == Invalid ? end : BitOf(exit)) - BitOf(state);
            if (m == 1)
            {
                blocks[sub] = count;
            }

            if (last)
            {
                break;
            }

            int following = firstSub + at + 1;
            int followingStart = end;
            int key = Key(m, exit, followingStart);
            next.AtomicMax(following, key); // the writer furthest upstream wins: its entry is right whenever any entry before it is
            if (round > 1 && (entries[following] & 0xFFFFFF) == (key & 0xFFFFFF))
            {
                break; // agrees with the entry read: the thread that owns it continues from there this round
            }

            changed = true;
            state = exit;
        }

        return consumed;
    }

    /// <summary>
    /// The writing pass for subsequence <paramref name="sub"/> once the entries are settled: decodes from its entry,
    /// writing AC coefficients (natural order) into their blocks and DC differences with their block and run into
    /// the DC arrays; checks the segment's end. Returns a <see cref="JpegStatus"/> (or <see cref="NotSynchronised"/>)
    /// and the bits consumed.
    /// </summary>
    public static int Write<TData, TDesc, THuff, TNatural, TSeg, TEntries, TInts, TCoef>(
        int sub, int subsequenceBits, TData data, TDesc descriptors, THuff huff, TNatural natural, TSeg segments, TInts subSegment, TEntries entries,
        TInts blockScan, TCoef coef, TInts dc, TInts dcPlace, out int tile, out int consumed)
        where TData : struct, IByteView
        where TDesc : struct, IIntView
        where THuff : struct, IIntView
        where TNatural : struct, IIntView
        where TSeg : struct, IIntView
        where TEntries : struct, IAtomicIntView
        where TInts : struct, IIntView
        where TCoef : struct, IShortView
    {
        int seg = subSegment[sub] * JpegSegment.Size;
        tile = segments[seg + JpegSegment.Tile];
        int firstSub = segments[seg + JpegSegment.FirstSub];
        int index = sub - firstSub;
        bool last = index == segments[seg + JpegSegment.SubCount] - 1;
        int segEnd = segments[seg + JpegSegment.BitEnd];
        int start = segments[seg + JpegSegment.BitStart] + (index * subsequenceBits);
        int end = last ? segEnd : start + subsequenceBits;
        long entry = index == 0 ? State(start, 0, 0) : Unkey(entries[sub], start);
        consumed = 0;
        if (entry == Invalid)
        {
            return NotSynchronised;
        }

        int firstBlock = index == 0 ? 0 : blockScan[sub] - blockScan[firstSub];
        int d = tile * JpegLayout.Size;
        int huffBase = descriptors[d + JpegLayout.TableSet] * HuffmanLayout.SetStride;
        Walk(
            data, descriptors, d, huff, huffBase, natural, coef, dc, dcPlace,
            segments[seg + JpegSegment.FirstMcu], segments[seg + JpegSegment.Blocks], segments[seg + JpegSegment.FirstBlock],
            segEnd, end, last, segments[seg + JpegSegment.Period], entry, firstBlock, out long exit, out _, out int status);
        consumed = (exit == Invalid ? end : BitOf(exit)) - BitOf(entry);
        return status;
    }

    /// <summary>Block <paramref name="i"/> (decode order) of the DC arrays: its DC is the inclusive scan over its run (a segment's blocks of one component).</summary>
    public static void DcFix<TInts, TCoef>(int i, TInts dcScan, TInts dcPlace, TCoef coef)
        where TInts : struct, IIntView
        where TCoef : struct, IShortView
    {
        int target = dcPlace[2 * i] - 1;
        if (target < 0)
        {
            return; // never written: a failed tile's block
        }

        int run = dcPlace[(2 * i) + 1];
        int predicted = dcScan[i] - (run > 0 ? dcScan[run - 1] : 0); // modular: exact in 16 bits
        coef[target] = (short)predicted;
    }

    /// <summary>
    /// Decodes the codewords starting before <paramref name="rangeEnd"/> from <paramref name="entry"/>. With
    /// <paramref name="firstBlock"/> &lt; 0 it only counts DC codewords (the sync rounds); otherwise it writes and
    /// checks blocks firstBlock.. of the segment. Bits past the segment's end read as zero, as in libjpeg.
    /// </summary>
    private static void Walk<TData, TDesc, THuff, TNatural, TCoef, TInts>(
        TData data, TDesc desc, int d, THuff huff, int huffBase, TNatural natural, TCoef coef, TInts dc, TInts dcPlace,
        int segFirstMcu, int segBlocks, int segFirstDc, int segEnd, int rangeEnd, bool last, int period, long entry, int firstBlock,
        out long exit, out int counted, out int status)
        where TData : struct, IByteView
        where TDesc : struct, IIntView
        where THuff : struct, IIntView
        where TNatural : struct, IIntView
        where TCoef : struct, IShortView
        where TInts : struct, IIntView
    {
        bool write = firstBlock >= 0;
        int bit = BitOf(entry);
        int b = (int)((entry >> 8) & 0xFF);
        int k = (int)(entry & 0xFF);
        int limit = segEnd >> 3;
        int bytePos = bit >> 3;
        ulong acc = 0;
        int nbits = 0;
        Fill(data, ref acc, ref nbits, ref bytePos, limit);
        nbits -= bit & 7;

        int scanComponents = desc[d + JpegLayout.ScanComponentCount];
        int mcusAcross = desc[d + JpegLayout.McusAcross];
        int perMcu = BlocksPerMcu(desc, d, scanComponents);
        int mcusInSegment = perMcu > 0 ? segBlocks / perMcu : 0;
        int cur = write ? (k > 0 ? firstBlock - 1 : firstBlock) : 0;
        int blockOffset = -1;
        if (write && k > 0 && cur >= 0 && cur < segBlocks)
        {
            blockOffset = BlockOffset(desc, d, scanComponents, perMcu, mcusAcross, segFirstMcu, cur, out _, out _);
        }

        int component = Component(desc, d, scanComponents, b);
        int dcTable = huffBase + (desc[d + JpegLayout.Of(component, JpegLayout.DcTable)] * HuffmanLayout.Stride);
        int acTable = huffBase + ((4 + desc[d + JpegLayout.Of(component, JpegLayout.AcTable)]) * HuffmanLayout.Stride);
        counted = 0;
        status = JpegStatus.Ok;
        while (true)
        {
            int p = (bytePos << 3) - nbits;
            if (p >= rangeEnd)
            {
                exit = State(p, b % period, k);
                if (write && last && cur < segBlocks)
                {
                    status = JpegStatus.PrematureEnd; // the segment's bits ran out before its last block
                }

                return;
            }

            if (write && k == 0 && cur >= segBlocks)
            {
                exit = State(p, b, k); // the segment's blocks are done (checked by the thread that finished them)
                return;
            }

            if (nbits < 32)
            {
                Fill(data, ref acc, ref nbits, ref bytePos, limit);
            }

            bool blockDone = false;
            if (k == 0)
            {
                int s = JpegEntropy.DecodeSymbol(huff, dcTable, acc, ref nbits);
                if (s < 0)
                {
                    exit = Invalid;
                    status = JpegStatus.BadHuffmanCode;
                    return;
                }

                int diff = JpegEntropy.Receive(acc, ref nbits, s);
                counted++;
                if (write && cur >= 0 && cur < segBlocks)
                {
                    blockOffset = BlockOffset(desc, d, scanComponents, perMcu, mcusAcross, segFirstMcu, cur, out int runOffset, out int inRun);
                    int i = segFirstDc + (runOffset * mcusInSegment) + inRun;
                    dc[i] = diff;
                    dcPlace[2 * i] = blockOffset + 1;
                    dcPlace[(2 * i) + 1] = segFirstDc + (runOffset * mcusInSegment);
                }
                else
                {
                    blockOffset = -1;
                }

                k = 1;
            }
            else
            {
                int rs = JpegEntropy.DecodeSymbol(huff, acTable, acc, ref nbits);
                if (rs < 0)
                {
                    exit = Invalid;
                    status = JpegStatus.BadHuffmanCode;
                    return;
                }

                int r = rs >> 4;
                int size = rs & 15;
                if (size != 0)
                {
                    k += r;
                    int value = JpegEntropy.Receive(acc, ref nbits, size);
                    if (blockOffset >= 0)
                    {
                        coef[blockOffset + natural[k > 63 ? 63 : k]] = (short)value;
                    }

                    k++;
                }
                else if (r != 15)
                {
                    k = 64; // end of block
                }
                else
                {
                    k += 16;
                }

                blockDone = k >= 64;
            }

            if (blockDone)
            {
                if (write)
                {
                    int after = (bytePos << 3) - nbits;
                    if (after > segEnd)
                    {
                        exit = State(after, b, 0);
                        status = JpegStatus.PrematureEnd;
                        return;
                    }

                    cur++;
                    if (cur == segBlocks && segEnd - after >= 8)
                    {
                        exit = State(after, b, 0);
                        status = JpegStatus.ExtraneousData; // whole unread bytes before the marker
                        return;
                    }
                }

                k = 0;
                b++;
                if (b >= perMcu)
                {
                    b = 0;
                }

                component = Component(desc, d, scanComponents, b);
                dcTable = huffBase + (desc[d + JpegLayout.Of(component, JpegLayout.DcTable)] * HuffmanLayout.Stride);
                acTable = huffBase + ((4 + desc[d + JpegLayout.Of(component, JpegLayout.AcTable)]) * HuffmanLayout.Stride);
            }
        }
    }

    /// <summary>Blocks per MCU: one in a non-interleaved scan, else the sum of H x V.</summary>
    public static int BlocksPerMcu<TDesc>(TDesc desc, int d, int scanComponents)
        where TDesc : struct, IIntView
    {
        if (scanComponents == 1)
        {
            return 1;
        }

        int n = 0;
        for (int c = 0; c < scanComponents; c++)
        {
            n += desc[d + JpegLayout.Of(c, JpegLayout.H)] * desc[d + JpegLayout.Of(c, JpegLayout.V)];
        }

        return n;
    }

    /// <summary>The component block <paramref name="b"/> of an MCU belongs to.</summary>
    private static int Component<TDesc>(TDesc desc, int d, int scanComponents, int b)
        where TDesc : struct, IIntView
    {
        if (scanComponents == 1)
        {
            return 0;
        }

        int c = 0;
        int rest = b;
        while (c + 1 < scanComponents)
        {
            int hv = desc[d + JpegLayout.Of(c, JpegLayout.H)] * desc[d + JpegLayout.Of(c, JpegLayout.V)];
            if (rest < hv)
            {
                break;
            }

            rest -= hv;
            c++;
        }

        return c;
    }

    /// <summary>
    /// The coefficient offset of block <paramref name="n"/> of a segment (the same placement as <see cref="JpegEntropy"/>),
    /// the offset of its component's run within an MCU's blocks, and its place within that run (decode order).
    /// </summary>
    private static int BlockOffset<TDesc>(TDesc desc, int d, int scanComponents, int perMcu, int mcusAcross, int segFirstMcu, int n, out int runOffset, out int inRun)
        where TDesc : struct, IIntView
    {
        int mcuInSegment = n / perMcu;
        int rest = n - (mcuInSegment * perMcu);
        int m = segFirstMcu + mcuInSegment;
        int mx = m % mcusAcross;
        int my = m / mcusAcross;
        int c = 0, h = 1, v = 1;
        runOffset = 0;
        if (scanComponents > 1)
        {
            while (true)
            {
                h = desc[d + JpegLayout.Of(c, JpegLayout.H)];
                v = desc[d + JpegLayout.Of(c, JpegLayout.V)];
                if (rest < h * v || c + 1 >= scanComponents)
                {
                    break;
                }

                rest -= h * v;
                runOffset += h * v;
                c++;
            }
        }

        int by = rest / h;
        int bx = rest - (by * h);
        inRun = (mcuInSegment * h * v) + rest;
        int blocksWide = desc[d + JpegLayout.Of(c, JpegLayout.BlocksWide)];
        return desc[d + JpegLayout.Of(c, JpegLayout.CoefficientBase)] + (((((my * v) + by) * blocksWide) + (mx * h) + bx) * 64);
    }

    private static void Fill<TData>(TData data, ref ulong acc, ref int nbits, ref int bytePos, int limit)
        where TData : struct, IByteView
    {
        while (nbits <= 56)
        {
            uint b = bytePos < limit ? data[bytePos] : 0u; // past the segment: zeros, as libjpeg pads
            bytePos++;
            acc = (acc << 8) | b;
            nbits += 8;
        }
    }

    /// <summary>Stand-ins for the views the counting pass never touches.</summary>
    private readonly struct NoShorts : IShortView
    {
        public short this[int index]
        {
            get => 0;
            set { }
        }
    }

    private readonly struct NoInts : IIntView
    {
        public int this[int index]
        {
            get => 0;
            set { }
        }
    }
}
