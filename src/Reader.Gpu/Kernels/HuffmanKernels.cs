using ILGPU;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>Scalars of the parallel Huffman kernels.</summary>
internal readonly struct HuffmanShape(int subsequences, int subsequenceBits, int round, int unsettled)
{
    /// <summary>Threads: one per subsequence.</summary>
    public int Subsequences { get; } = subsequences;

    public int SubsequenceBits { get; } = subsequenceBits;

    /// <summary>The synchronisation round (1-based).</summary>
    public int Round { get; } = round;

    /// <summary>Tiles whose entries still changed in this round (or later) did not settle; int.MaxValue when all did.</summary>
    public int Unsettled { get; } = unsettled;
}

/// <summary>The device buffers of the parallel Huffman stage, as one kernel parameter (ILGPU takes at most 14).</summary>
internal readonly struct HuffmanBuffers
{
    /// <summary>Destuffed entropy-coded bytes of every tile.</summary>
    public ArrayView<byte> Data { get; init; }

    public ArrayView<int> Descriptors { get; init; }

    public ArrayView<int> Huffman { get; init; }

    public ArrayView<int> Natural { get; init; }

    /// <summary><see cref="JpegSegment"/> records.</summary>
    public ArrayView<int> Segments { get; init; }

    /// <summary>Each subsequence's segment.</summary>
    public ArrayView<int> SubSegments { get; init; }

    /// <summary>Each subsequence's entry state.</summary>
    public ArrayView<int> Entries { get; init; }

    /// <summary>The entry states the synchronisation round writes (swapped with <see cref="Entries"/> after each round).</summary>
    public ArrayView<int> NextEntries { get; init; }

    /// <summary>Blocks (DC codewords) each subsequence starts.</summary>
    public ArrayView<int> Blocks { get; init; }

    /// <summary>Exclusive prefix sum of <see cref="Blocks"/>.</summary>
    public ArrayView<int> BlockScan { get; init; }

    public ArrayView<short> Coefficients { get; init; }

    /// <summary>DC differences in component-run order.</summary>
    public ArrayView<int> Dc { get; init; }

    /// <summary>Inclusive prefix sum of <see cref="Dc"/>.</summary>
    public ArrayView<int> DcScan { get; init; }

    /// <summary>Per DC entry: its block's coefficient offset + 1 (0: never written), its run's first entry.</summary>
    public ArrayView<int> DcPlace { get; init; }

    /// <summary>Per tile: its decode status (the largest code any of its threads reported).</summary>
    public ArrayView<int> Status { get; init; }

    /// <summary>Per tile: the last round in which one of its entries changed.</summary>
    public ArrayView<int> LastChanged { get; init; }

    /// <summary>[0] entries changed this round, [1] the most bits one thread consumed.</summary>
    public ArrayView<int> Counters { get; init; }
}

/// <summary>
/// The parallel Huffman stage (explicitly grouped, one thread per subsequence; see <see cref="JpegSubsequences"/>):
/// synchronisation rounds, the writing pass, and the DC fix-up after the segmented scan.
/// </summary>
internal static class HuffmanKernels
{
    public static void Sync(HuffmanBuffers b, HuffmanShape shape)
    {
        int sub = Grid.GlobalIndex.X;
        if (sub < shape.Subsequences)
        {
            DecodeItems.HuffmanSync(sub, b, shape);
        }
    }

    public static void Write(HuffmanBuffers b, HuffmanShape shape)
    {
        int sub = Grid.GlobalIndex.X;
        if (sub < shape.Subsequences)
        {
            DecodeItems.HuffmanWrite(sub, b, shape);
        }
    }

    public static void DcFix(ArrayView<int> dcScan, ArrayView<int> dcPlace, ArrayView<short> coefficients, int count)
    {
        int i = Grid.GlobalIndex.X;
        if (i < count)
        {
            JpegSubsequences.DcFix(i, new DeviceInts(dcScan), new DeviceInts(dcPlace), new DeviceShorts(coefficients));
        }
    }
}
