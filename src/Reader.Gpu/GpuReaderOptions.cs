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
    private readonly int subsequenceBits = 1024;
    private readonly int maxRounds = 16;

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

    /// <summary>
    /// Bits of entropy-coded data per Huffman thread (a multiple of 8, at least 64; default 1024): scans are split
    /// into subsequences of this size, decoded in parallel and synchronised (restart intervals split further).
    /// </summary>
    public int HuffmanSubsequenceBits
    {
        get => subsequenceBits;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 64);
            if (value % 8 != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "a whole number of bytes");
            }

            subsequenceBits = value;
        }
    }

    /// <summary>
    /// Synchronisation rounds allowed before a tile whose subsequences still disagree is decoded on the CPU
    /// (default 16; Huffman codes usually agree after the second).
    /// </summary>
    public int HuffmanMaxRounds
    {
        get => maxRounds;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxRounds = value;
        }
    }

    /// <summary>
    /// Bytes of device memory each <see cref="GpuDecoder"/> keeps decoded tiles in (default 0: no cache), shared by
    /// all its batches and regions, least recently used evicted: overlapping patches and repeated epochs skip the
    /// fetch and the decode. Tiles of one size and format are cached (the first seen); others bypass it.
    /// </summary>
    public long DeviceTileCacheBytes { get; init; }

    /// <summary>The defaults.</summary>
    public static GpuReaderOptions Default { get; } = new();

    /// <summary>Tests only: tiles whose entropy data is withheld from the device, so the device decode fails and the CPU fallback runs.</summary>
    internal Func<long, long, bool>? WithholdFromDevice { get; init; }
}
