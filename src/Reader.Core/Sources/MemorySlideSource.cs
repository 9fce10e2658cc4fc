namespace Reader.Core.Sources;

/// <summary>A slide held in memory.</summary>
internal sealed class MemorySlideSource(ReadOnlyMemory<byte> bytes, string name) : SlideSource
{
    public override string Name { get; } = name ?? "memory";

    public override long Length => bytes.Length;

    protected override int ReadCore(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ReadOnlySpan<byte> from = bytes.Span[(int)offset..];
        int n = Math.Min(from.Length, destination.Length);
        from[..n].CopyTo(destination);
        return n;
    }
}
