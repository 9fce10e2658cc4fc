using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Gpu.Accelerators;

namespace Reader.Bench.Backends;

/// <summary>
/// Our GPU reader through the device batch API. "gpu" runs only where a CUDA or OpenCL device is found (its row
/// is absent elsewhere, with the reason); "gpu-cpu-accelerator" (opt-in) runs the same kernels on ILGPU's CPU
/// accelerator, which is not a GPU and is only there to exercise the path. The sweep times these backends in
/// its batch mode only (device batches of <see cref="BatchSize"/> patches into device memory, not copied back);
/// the per-patch interface below (for warm-ups and the per-patch modes) pays a device round trip per patch.
/// </summary>
internal sealed class GpuBackend(bool cpuAccelerator) : BenchBackend
{
    public const int BatchSize = 256;

    private static readonly Lazy<string?> NoGpu = new(GpuDecoder.FindGpu, LazyThreadSafetyMode.ExecutionAndPublication);

    public override string Name => cpuAccelerator ? "gpu-cpu-accelerator" : "gpu";

    public override string? UnavailableReason => cpuAccelerator || NoGpu.Value is null ? null : "no CUDA or OpenCL device: " + NoGpu.Value;

    public override string Describe => cpuAccelerator
        ? $"ILGPU CPU accelerator, NOT A GPU: our GPU kernels simulated on CPU threads (a correctness path, not a speed); device batches of {BatchSize}, RGB24 left in (host) device memory"
        : $"our GPU reader: ILGPU kernels on {Decoder().Choice.Device} (kernels loaded in {Decoder().KernelLoadTime.TotalMilliseconds:F0} ms, once per process, untimed); device batches of {BatchSize}, RGB24 left in device memory";

    public GpuReaderOptions Options => new()
    {
        Accelerator = cpuAccelerator ? GpuAcceleratorKind.Cpu : GpuAcceleratorKind.Auto,
        Notice = _ => { },
    };

    /// <summary>The decoder; for "gpu" it refuses anything but a GPU (WSI_GPU_ACCELERATOR=cpu must not pass for one).</summary>
    public GpuDecoder Decoder()
    {
        var decoder = new GpuDecoder(Options);
        if (!cpuAccelerator && !decoder.Choice.IsGpu)
        {
            throw new InvalidOperationException("the gpu backend got no GPU: " + decoder.Choice.Report);
        }

        return decoder;
    }

    public override IPatchSource Open(string path) => new Source(Slide.Open(path), Decoder());

    private sealed class Source(Slide slide, GpuDecoder decoder) : IPatchSource
    {
        public void Read(long x, long y, int level, int width, int height, PatchScratch scratch)
        {
            foreach (DeviceBatch batch in decoder.ReadRegions(slide, [new PatchLocation(x, y)], width, height, level, new BatchOptions { BatchSize = 1, Workers = 1, Prefetch = 1 }))
            {
                using (batch)
                {
                    batch.CopyTo(scratch.Bytes);
                }
            }
        }

        public void Dispose() => slide.Dispose();
    }
}
