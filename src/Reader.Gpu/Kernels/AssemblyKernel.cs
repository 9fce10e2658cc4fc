using ILGPU;

namespace Reader.Gpu.Kernels;

/// <summary>One thread per output pixel of the N x H x W x C batch, straight into the batch's device buffer (explicitly grouped).</summary>
internal static class AssemblyKernel
{
    public static void Assemble(ArrayView<int> patches, ArrayView<int> cells, ArrayView<byte> slots, ArrayView<byte> output, PatchShape shape, int pixels)
    {
        int pixel = Grid.GlobalIndex.X;
        if (pixel < pixels)
        {
            DecodeItems.Assemble(pixel, patches, cells, slots, output, shape);
        }
    }
}
