using System.Text;

namespace Reader.Gpu.Accelerators;

/// <summary>The accelerator the GPU reader runs on, how it was asked for, and why the others were not taken.</summary>
public sealed class AcceleratorChoice
{
    internal AcceleratorChoice(GpuAcceleratorKind kind, string device, GpuAcceleratorKind requested, string requestedBy, IReadOnlyList<string> rejected, string resolver)
    {
        Kind = kind;
        Device = device;
        Requested = requested;
        RequestedBy = requestedBy;
        Rejected = rejected;
        Resolver = resolver;
    }

    /// <summary>The accelerator in use: Cuda, OpenCL or Cpu (never Auto).</summary>
    public GpuAcceleratorKind Kind { get; }

    /// <summary>True for CUDA and OpenCL; false for ILGPU's CPU accelerator.</summary>
    public bool IsGpu => Kind is GpuAcceleratorKind.Cuda or GpuAcceleratorKind.OpenCL;

    /// <summary>The device in words, e.g. "CUDA: NVIDIA H100 80GB HBM3 (SM 9.0, PTX ISA 8.8)" or "ILGPU CPU accelerator (not a GPU): ...".</summary>
    public string Device { get; }

    /// <summary>What was asked for.</summary>
    public GpuAcceleratorKind Requested { get; }

    /// <summary>Who asked: "automatic", "GpuReaderOptions.Accelerator" or "WSI_GPU_ACCELERATOR=...".</summary>
    public string RequestedBy { get; }

    /// <summary>Accelerators tried before this one and why each was not used.</summary>
    public IReadOnlyList<string> Rejected { get; }

    /// <summary>How the CUDA and OpenCL libraries were looked up.</summary>
    public string Resolver { get; }

    /// <summary>One paragraph: the choice, how it was asked for, the rejections.</summary>
    public string Report
    {
        get
        {
            var text = new StringBuilder();
            text.Append("GPU reader on ").Append(Device).Append(" (").Append(RequestedBy);
            if (Requested != GpuAcceleratorKind.Auto)
            {
                text.Append(": ").Append(Requested.ToString().ToUpperInvariant());
            }

            text.Append(')');
            if (Rejected.Count > 0)
            {
                text.Append("; not used: ").Append(string.Join("; ", Rejected));
            }

            return text.ToString();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Report;
}
