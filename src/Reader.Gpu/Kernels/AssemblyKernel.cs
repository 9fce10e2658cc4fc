using ILGPU;

namespace Reader.Gpu.Kernels;

/// <summary>K4: one thread per output pixel of the N x H x W x C batch, straight into the batch's device buffer.</summary>
internal static class AssemblyKernel
{
    public static void Assemble(Index1D pixel, ArrayView<int> patches, ArrayView<int> cells, ArrayView<byte> slots, ArrayView<byte> output, PatchShape shape) =>
        DecodeItems.Assemble(pixel, patches, cells, slots, output, shape);
}
