namespace Reader.Bench.Backends;

/// <summary>Our GPU reader. Until it exists, and on machines without a GPU, its row says why it is absent.</summary>
internal sealed class GpuBackend : BenchBackend
{
    public override string Name => "gpu";

    public override string? UnavailableReason => "the GPU reader (Reader.Gpu) is not built yet";

    public override string Describe => "our GPU reader";

    public override IPatchSource Open(string path) => throw new NotSupportedException(UnavailableReason);
}
