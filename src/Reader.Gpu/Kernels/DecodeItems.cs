using ILGPU;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The per-item bodies of the stages, one call per GPU thread: Huffman per subsequence, dequantise + IDCT
/// per 8x8 block, upsample + colour per tile pixel, assembly per patch pixel. The ILGPU kernels call
/// them (<see cref="JpegKernels"/>, <see cref="AssemblyKernel"/>) and so does the Parallel.For path
/// (<see cref="ParallelForRunner"/>), and they call the JPEG bodies of Reader.Core that the CPU decoder
/// runs: one implementation of the arithmetic everywhere. Offsets are global (rebased on the host), so
/// every tile of a batch lives in the same few buffers.
/// </summary>
internal static class DecodeItems
{
    /// <summary>One synchronisation round of subsequence <paramref name="sub"/> (<see cref="JpegSubsequences.Sync"/>), with its counters.</summary>
    public static void HuffmanSync(int sub, HuffmanBuffers b, HuffmanShape shape)
    {
        int bits = JpegSubsequences.Sync(
            sub, shape.SubsequenceBits, shape.Round, new DeviceBytes(b.Data), new DeviceInts(b.Descriptors), new DeviceInts(b.Huffman),
            new DeviceInts(b.Segments), new DeviceInts(b.SubSegments), new DeviceInts(b.Entries), new DeviceInts(b.NextEntries), new DeviceInts(b.Blocks), out bool changed, out int tile);
        Atomic.Max(ref b.Counters[1], bits);
        if (changed)
        {
            Atomic.Add(ref b.Counters[0], 1);
            Atomic.Max(ref b.LastChanged[tile], shape.Round);
        }
    }

    /// <summary>The writing pass of subsequence <paramref name="sub"/> (<see cref="JpegSubsequences.Write"/>); failures go to its tile's status.</summary>
    public static void HuffmanWrite(int sub, HuffmanBuffers b, HuffmanShape shape)
    {
        int status = JpegSubsequences.Write(
            sub, shape.SubsequenceBits, new DeviceBytes(b.Data), new DeviceInts(b.Descriptors), new DeviceInts(b.Huffman), new DeviceInts(b.Natural),
            new DeviceInts(b.Segments), new DeviceInts(b.SubSegments), new DeviceInts(b.Entries), new DeviceInts(b.BlockScan),
            new DeviceShorts(b.Coefficients), new DeviceInts(b.Dc), new DeviceInts(b.DcPlace), out int tile, out int bits);
        Atomic.Max(ref b.Counters[1], bits);
        if (b.LastChanged[tile] >= shape.Unsettled)
        {
            status = JpegSubsequences.NotSynchronised;
        }

        if (status != JpegStatus.Ok)
        {
            Atomic.Max(ref b.Status[tile], status);
        }
    }

    /// <summary>Dequantises and inverse-transforms 8x8 block <paramref name="block"/> (of all tiles) into its component plane.</summary>
    public static void Idct<TWork>(int block, ArrayView<int> descriptors, ArrayView<int> tileBlocks, int tiles, ArrayView<short> coefficients, ArrayView<int> quant, ArrayView<int> status, ArrayView<byte> planes, TWork work)
        where TWork : struct, IIntView
    {
        int tile = FindTile(tileBlocks, tiles, block);
        if (status[tile] != JpegStatus.Ok)
        {
            return;
        }

        ArrayView<int> desc = descriptors.SubView(tile * JpegLayout.Size, JpegLayout.Size);
        int coefficient = block * 64;
        int n = desc[JpegLayout.ComponentCount];
        int c = 0;
        while (c + 1 < n && desc[JpegLayout.Of(c + 1, JpegLayout.CoefficientBase)] <= coefficient)
        {
            c++;
        }

        int local = (coefficient - desc[JpegLayout.Of(c, JpegLayout.CoefficientBase)]) >> 6;
        int blocksWide = desc[JpegLayout.Of(c, JpegLayout.BlocksWide)];
        int by = local / blocksWide;
        int bx = local - (by * blocksWide);
        int stride = desc[JpegLayout.Of(c, JpegLayout.PlaneStride)];
        int planeOffset = desc[JpegLayout.Of(c, JpegLayout.PlaneBase)] + (by * 8 * stride) + (bx * 8);
        int quantOffset = (desc[JpegLayout.TableSet] * 256) + (desc[JpegLayout.Of(c, JpegLayout.QuantTable)] * 64);
        JpegIdct.Block(new DeviceShorts(coefficients), coefficient, new DeviceInts(quant), quantOffset, work, 0, new DeviceBytes(planes), planeOffset, stride);
    }

    /// <summary>Upsamples and colour-converts pixel <paramref name="pixel"/> (of all tiles' slots) into its tile slot.</summary>
    public static void Color(int pixel, ArrayView<int> descriptors, ArrayView<int> status, ArrayView<byte> planes, ArrayView<byte> slots, SlotShape shape)
    {
        int tilePixels = shape.TileWidth * shape.TileHeight;
        int tile = pixel / tilePixels;
        if (status[tile] != JpegStatus.Ok)
        {
            return;
        }

        int local = pixel - (tile * tilePixels);
        int y = local / shape.TileWidth;
        int x = local - (y * shape.TileWidth);
        ArrayView<int> desc = descriptors.SubView(tile * JpegLayout.Size, JpegLayout.Size);
        if (x >= desc[JpegLayout.Width] || y >= desc[JpegLayout.Height])
        {
            return; // a JPEG narrower than the tile: only its visible part is ever read
        }

        ArrayView<byte> slot = slots.SubView(tile * shape.SlotBytes, shape.SlotBytes);
        JpegColor.Pixel(new DeviceInts(desc), new DeviceBytes(planes), x, y, new DeviceBytes(slot), local * shape.BytesPerPixel, shape.BytesPerPixel);
    }

    /// <summary>Writes pixel <paramref name="pixel"/> of the N x H x W output: from its tile slot, or the fill outside the level and in missing tiles.</summary>
    public static void Assemble(int pixel, ArrayView<int> patches, ArrayView<int> cells, ArrayView<byte> slots, ArrayView<byte> output, PatchShape shape)
    {
        int patchPixels = shape.Width * shape.Height;
        int n = pixel / patchPixels;
        int local = pixel - (n * patchPixels);
        int py = local / shape.Width;
        int px = local - (py * shape.Width);
        int bpp = shape.Slots.BytesPerPixel;
        long o = (long)pixel * bpp;
        ArrayView<int> p = patches.SubView(n * PatchRecord.Size, PatchRecord.Size);
        int slot = -1;
        long source = 0;
        if (px >= p[PatchRecord.InsideX0] && px < p[PatchRecord.InsideX1] && py >= p[PatchRecord.InsideY0] && py < p[PatchRecord.InsideY1])
        {
            int tw = shape.Slots.TileWidth;
            int th = shape.Slots.TileHeight;
            int rx = px + p[PatchRecord.OffsetX];
            int ry = py + p[PatchRecord.OffsetY];
            int column = rx / tw;
            int row = ry / th;
            slot = cells[p[PatchRecord.CellBase] + (row * p[PatchRecord.Columns]) + column];
            source = (slot * shape.Slots.SlotBytes) + ((((ry - (row * th)) * tw) + (rx - (column * tw))) * bpp);
        }

        if (slot < 0)
        {
            output[o] = shape.FillR;
            output[o + 1] = shape.FillG;
            output[o + 2] = shape.FillB;
            if (bpp == 4)
            {
                output[o + 3] = shape.FillA;
            }

            return;
        }

        output[o] = slots[source];
        output[o + 1] = slots[source + 1];
        output[o + 2] = slots[source + 2];
        if (bpp == 4)
        {
            output[o + 3] = slots[source + 3];
        }
    }

    /// <summary>The tile whose blocks include <paramref name="block"/>: the last k with tileBlocks[k] &lt;= block.</summary>
    private static int FindTile(ArrayView<int> tileBlocks, int tiles, int block)
    {
        int lo = 0, hi = tiles - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (tileBlocks[mid] <= block)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
