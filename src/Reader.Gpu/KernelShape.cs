namespace Reader.Gpu;

/// <summary>
/// The work shape of one kernel in one batch, measurable without a GPU: how often it was launched, the threads of
/// its largest launch, its group size (0: chosen by ILGPU.Algorithms), and the most input one thread worked through
/// serially (entropy-coded bytes for the Huffman kernels; 0 where a thread's work does not grow with the input).
/// </summary>
/// <param name="Name">The kernel.</param>
/// <param name="Launches">Launches in the batch.</param>
/// <param name="Threads">Threads of its largest launch.</param>
/// <param name="GroupSize">Threads per group.</param>
/// <param name="MaxSerialBytes">The most input bytes one thread consumed.</param>
public sealed record KernelShape(string Name, int Launches, long Threads, int GroupSize, long MaxSerialBytes);
