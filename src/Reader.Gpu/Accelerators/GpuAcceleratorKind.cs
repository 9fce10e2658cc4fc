namespace Reader.Gpu.Accelerators;

/// <summary>Which ILGPU accelerator decodes: the best one found, or a forced one.</summary>
public enum GpuAcceleratorKind
{
    /// <summary>CUDA, else OpenCL (devices ILGPU accepts), else ILGPU's CPU accelerator.</summary>
    Auto,

    /// <summary>An NVIDIA GPU through the CUDA driver.</summary>
    Cuda,

    /// <summary>An OpenCL 2.0+ device with the generic address space (ILGPU's requirement).</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator: every GPU thread simulated on CPU threads. Not a GPU.</summary>
    Cpu,
}
