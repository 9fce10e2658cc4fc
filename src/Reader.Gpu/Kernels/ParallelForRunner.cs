using System.Collections.Concurrent;
using ILGPU;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The stages with the very same per-item bodies (<see cref="DecodeItems"/>) called from Parallel.For
/// instead of ILGPU kernels: the fast CPU way to run them, over the CPU accelerator's host-addressable
/// memory (ILGPU's CPU accelerator pays a thread hand-off per simulated GPU thread).
/// </summary>
internal static class ParallelForRunner
{
    private const int Chunk = 4096;

    public static void HuffmanSync(HuffmanBuffers buffers, HuffmanShape shape) =>
        Parallel.For(0, shape.Subsequences, sub => DecodeItems.HuffmanSync(sub, buffers, shape));

    public static void HuffmanWrite(HuffmanBuffers buffers, HuffmanShape shape) =>
        Parallel.For(0, shape.Subsequences, sub => DecodeItems.HuffmanWrite(sub, buffers, shape));

    public static void DcFix(int blocks, HuffmanBuffers buffers) =>
        Parallel.ForEach(Partitioner.Create(0, blocks, Chunk), range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                JpegSubsequences.DcFix(i, new DeviceInts(buffers.DcScan), new DeviceInts(buffers.DcPlace), new DeviceShorts(buffers.Coefficients));
            }
        });

    public static void Idct(int blocks, ArrayView<int> descriptors, ArrayView<int> tileBlocks, int tiles, ArrayView<short> coefficients, ArrayView<int> quant, ArrayView<int> status, ArrayView<byte> planes) =>
        Parallel.ForEach(Partitioner.Create(0, blocks, Chunk / 16), range =>
        {
            var work = new IntArrayView(new int[64]); // the kernel's LocalMemory workspace, one per worker
            for (int b = range.Item1; b < range.Item2; b++)
            {
                DecodeItems.Idct(b, descriptors, tileBlocks, tiles, coefficients, quant, status, planes, work);
            }
        });

    public static void Color(int pixels, ArrayView<int> descriptors, ArrayView<int> status, ArrayView<byte> planes, ArrayView<byte> slots, SlotShape shape) =>
        Parallel.ForEach(Partitioner.Create(0, pixels, Chunk), range =>
        {
            for (int p = range.Item1; p < range.Item2; p++)
            {
                DecodeItems.Color(p, descriptors, status, planes, slots, shape);
            }
        });

    public static void Assemble(int pixels, ArrayView<int> patches, ArrayView<int> cells, ArrayView<byte> slots, ArrayView<byte> output, PatchShape shape) =>
        Parallel.ForEach(Partitioner.Create(0, pixels, Chunk), range =>
        {
            for (int p = range.Item1; p < range.Item2; p++)
            {
                DecodeItems.Assemble(p, patches, cells, slots, output, shape);
            }
        });
}
