using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The four kernels, compiled and loaded for one accelerator. ILGPU has no on-disk kernel cache, so
/// every process pays this once per accelerator (measured in <see cref="LoadTime"/>); the owning
/// <see cref="Accelerators.GpuDevice"/> keeps it for the life of the process.
/// </summary>
internal sealed class KernelSet
{
    private KernelSet(Accelerator accelerator)
    {
        var watch = Stopwatch.StartNew();
        Huffman = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<short>, ArrayView<int>>(JpegKernels.Huffman);
        Idct = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<short>, ArrayView<int>, ArrayView<int>, ArrayView<byte>>(JpegKernels.Idct);
        Color = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, SlotShape>(JpegKernels.Color);
        Assemble = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, PatchShape>(AssemblyKernel.Assemble);
        LoadTime = watch.Elapsed;
    }

    public Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<short>, ArrayView<int>> Huffman { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, int, ArrayView<short>, ArrayView<int>, ArrayView<int>, ArrayView<byte>> Idct { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, SlotShape> Color { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, PatchShape> Assemble { get; }

    /// <summary>Wall time to compile and load all four (first kernel includes ILGPU's own warm-up).</summary>
    public TimeSpan LoadTime { get; }

    public static KernelSet Load(Accelerator accelerator) => new(accelerator);
}
