using System.Diagnostics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;

namespace Reader.Gpu.Kernels;

/// <summary>
/// The kernels, compiled and loaded for one accelerator, with the group size each is launched with. ILGPU has no
/// on-disk kernel cache, so every process pays this once per accelerator (measured in <see cref="LoadTime"/>); the
/// owning <see cref="Accelerators.GpuDevice"/> keeps it for the life of the process.
/// </summary>
internal sealed class KernelSet
{
    private KernelSet(Accelerator accelerator)
    {
        var watch = Stopwatch.StartNew();
        HuffmanGroup = GroupSize(accelerator, 64); // irregular per-thread work: small groups diverge less
        BlockGroup = GroupSize(accelerator, 128);
        PixelGroup = GroupSize(accelerator, 256);
        Sync = accelerator.LoadKernel<HuffmanBuffers, HuffmanShape>(HuffmanKernels.Sync);
        Write = accelerator.LoadKernel<HuffmanBuffers, HuffmanShape>(HuffmanKernels.Write);
        DcFix = accelerator.LoadKernel<ArrayView<int>, ArrayView<int>, ArrayView<short>, int>(HuffmanKernels.DcFix);
        Idct = accelerator.LoadKernel<ArrayView<int>, ArrayView<int>, int, ArrayView<short>, ArrayView<int>, ArrayView<int>, ArrayView<byte>, int>(JpegKernels.Idct);
        Color = accelerator.LoadKernel<ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, SlotShape, int>(JpegKernels.Color);
        Assemble = accelerator.LoadKernel<ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, PatchShape, int>(AssemblyKernel.Assemble);
        Inflate = accelerator.LoadKernel<ArrayView<byte>, ArrayView<int>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, DeflateShape>(DeflateKernels.Inflate);
        Predict = accelerator.LoadKernel<ArrayView<int>, ArrayView<byte>, ArrayView<int>, DeflateShape>(DeflateKernels.Predict);
        Convert = accelerator.LoadKernel<ArrayView<int>, ArrayView<byte>, ArrayView<int>, ArrayView<byte>, DeflateShape, int>(DeflateKernels.Convert);
        ExclusiveScan = accelerator.CreateScan<int, Stride1D.Dense, Stride1D.Dense, AddInt32>(ScanKind.Exclusive);
        InclusiveScan = accelerator.CreateScan<int, Stride1D.Dense, Stride1D.Dense, AddInt32>(ScanKind.Inclusive);
        LoadTime = watch.Elapsed;
    }

    public int HuffmanGroup { get; }

    public int BlockGroup { get; }

    public int PixelGroup { get; }

    public Action<AcceleratorStream, KernelConfig, HuffmanBuffers, HuffmanShape> Sync { get; }

    public Action<AcceleratorStream, KernelConfig, HuffmanBuffers, HuffmanShape> Write { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<short>, int> DcFix { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, int, ArrayView<short>, ArrayView<int>, ArrayView<int>, ArrayView<byte>, int> Idct { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, SlotShape, int> Color { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<byte>, ArrayView<byte>, PatchShape, int> Assemble { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<byte>, ArrayView<int>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, DeflateShape> Inflate { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<byte>, ArrayView<int>, DeflateShape> Predict { get; }

    public Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<byte>, ArrayView<int>, ArrayView<byte>, DeflateShape, int> Convert { get; }

    /// <summary>ILGPU.Algorithms' prefix sums: block counts to output places, DC differences to predictions.</summary>
    public Scan<int, Stride1D.Dense, Stride1D.Dense> ExclusiveScan { get; }

    public Scan<int, Stride1D.Dense, Stride1D.Dense> InclusiveScan { get; }

    /// <summary>Wall time to compile and load them all (the first includes ILGPU's own warm-up).</summary>
    public TimeSpan LoadTime { get; }

    public static KernelSet Load(Accelerator accelerator) => new(accelerator);

    /// <summary>Groups of <paramref name="group"/> threads covering <paramref name="items"/>.</summary>
    public static KernelConfig Config(long items, int group) => new((int)Math.Max(1, (items + group - 1) / group), group);

    /// <summary>The wanted group size within the accelerator's limit, a whole number of warps.</summary>
    private static int GroupSize(Accelerator accelerator, int wanted)
    {
        int size = Math.Min(wanted, accelerator.MaxNumThreadsPerGroup);
        int warp = Math.Max(1, accelerator.WarpSize);
        return Math.Max(warp, size / warp * warp);
    }
}
