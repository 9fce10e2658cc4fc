namespace Reader.Gpu;

/// <summary>The accelerator asked for (by option or by WSI_GPU_ACCELERATOR) cannot be used; the message says why.</summary>
public sealed class GpuUnavailableException : Exception
{
    public GpuUnavailableException()
    {
    }

    public GpuUnavailableException(string message)
        : base(message)
    {
    }

    public GpuUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
