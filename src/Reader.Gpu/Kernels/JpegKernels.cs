using ILGPU;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The IDCT and colour kernels: explicitly grouped (the group size is chosen per kernel and reported), no
/// barriers, no shared memory, one thread per item, each a thin shell around <see cref="DecodeItems"/> (and
/// through it the Reader.Core JPEG bodies). The Huffman stage is <see cref="HuffmanKernels"/>.
/// </summary>
internal static class JpegKernels
{
    /// <summary>One thread per 8x8 block; the 64-int workspace in local memory.</summary>
    public static void Idct(ArrayView<int> descriptors, ArrayView<int> tileBlocks, int tiles, ArrayView<short> coefficients, ArrayView<int> quant, ArrayView<int> status, ArrayView<byte> planes, int blocks)
    {
        int block = Grid.GlobalIndex.X;
        if (block < blocks)
        {
            ArrayView<int> work = LocalMemory.Allocate<int>(64);
            DecodeItems.Idct(block, descriptors, tileBlocks, tiles, coefficients, quant, status, planes, new DeviceInts(work));
        }
    }

    /// <summary>One thread per tile pixel.</summary>
    public static void Color(ArrayView<int> descriptors, ArrayView<int> status, ArrayView<byte> planes, ArrayView<byte> slots, SlotShape shape, int pixels)
    {
        int pixel = Grid.GlobalIndex.X;
        if (pixel < pixels)
        {
            DecodeItems.Color(pixel, descriptors, status, planes, slots, shape);
        }
    }
}
