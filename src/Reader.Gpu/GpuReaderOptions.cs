using Reader.Gpu.Accelerators;

namespace Reader.Gpu;

/// <summary>How the kernels' per-item bodies are run.</summary>
public enum KernelExecution
{
    /// <summary>ILGPU kernels on the chosen accelerator (the normal path).</summary>
    Kernels,

    /// <summary>
    /// The same per-item bodies called from <see cref="Parallel.For(int, int, Action{int})"/> on the host,
    /// over the CPU accelerator's memory. Only with <see cref="GpuAcceleratorKind.Cpu"/>.
    /// </summary>
    ParallelFor,
}

/// <summary>How the GPU reader chooses its accelerator and runs batches. Immutable; share freely.</summary>
public sealed record GpuReaderOptions
{
    /// <summary>The environment variable that forces an accelerator when <see cref="Accelerator"/> is Auto: cuda, opencl or cpu.</summary>
    public const string AcceleratorVariable = "WSI_GPU_ACCELERATOR";

    /// <summary>
    /// The accelerator (default Auto: CUDA, then OpenCL, then ILGPU's CPU accelerator). A value other than Auto
    /// wins over <see cref="AcceleratorVariable"/>; a forced accelerator that is unavailable throws
    /// <see cref="GpuUnavailableException"/>.
    /// </summary>
    public GpuAcceleratorKind Accelerator { get; init; } = GpuAcceleratorKind.Auto;

    /// <summary>Cores the CPU accelerator simulates GPU threads on (default: all of them).</summary>
    public int CpuAcceleratorCores { get; init; } = Environment.ProcessorCount;

    /// <summary>Kernels (default) or the same bodies under Parallel.For (CPU accelerator only).</summary>
    public KernelExecution Execution { get; init; } = KernelExecution.Kernels;

    /// <summary>
    /// Synchronize after every upload and kernel so <see cref="DeviceBatch.Timings"/> splits the device time
    /// into phases (costs a little; launches on the CPU accelerator are synchronous anyway).
    /// </summary>
    public bool PhaseTimings { get; init; }

    /// <summary>
    /// Receives one-time notices: which accelerator was chosen and why the others were rejected.
    /// Default: standard error. Set a no-op to silence them.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>The defaults.</summary>
    public static GpuReaderOptions Default { get; } = new();

    /// <summary>Tests only: tiles whose entropy data is withheld from the device, so the device decode fails and the CPU fallback runs.</summary>
    internal Func<long, long, bool>? WithholdFromDevice { get; init; }
}
