using ILGPU;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The JPEG decode kernels: implicitly grouped, no barriers, no shared memory, one thread per item, each
/// a thin shell around <see cref="DecodeItems"/> (and through it the Reader.Core JPEG bodies).
/// </summary>
internal static class JpegKernels
{
    /// <summary>K1: one thread per tile.</summary>
    public static void Huffman(Index1D tile, ArrayView<byte> data, ArrayView<int> descriptors, ArrayView<int> huffman, ArrayView<int> natural, ArrayView<short> coefficients, ArrayView<int> status) =>
        DecodeItems.Huffman(tile, data, descriptors, huffman, natural, coefficients, status);

    /// <summary>K2: one thread per 8x8 block; the 64-int workspace in local memory.</summary>
    public static void Idct(Index1D block, ArrayView<int> descriptors, ArrayView<int> tileBlocks, int tiles, ArrayView<short> coefficients, ArrayView<int> quant, ArrayView<int> status, ArrayView<byte> planes)
    {
        ArrayView<int> work = LocalMemory.Allocate<int>(64);
        DecodeItems.Idct(block, descriptors, tileBlocks, tiles, coefficients, quant, status, planes, new DeviceInts(work));
    }

    /// <summary>K3: one thread per tile pixel.</summary>
    public static void Color(Index1D pixel, ArrayView<int> descriptors, ArrayView<int> status, ArrayView<byte> planes, ArrayView<byte> slots, SlotShape shape) =>
        DecodeItems.Color(pixel, descriptors, status, planes, slots, shape);
}
