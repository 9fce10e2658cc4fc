using System.Diagnostics;

namespace Reader.Gpu.Host;

/// <summary>Host work of one batch, summed over the workers that did it (Stopwatch ticks, bytes).</summary>
internal sealed class GatherCounters
{
    private long readTicks;
    private long parseTicks;
    private long hostDecodeTicks;
    private long compressedBytes;

    public TimeSpan FileRead => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref readTicks));

    public TimeSpan HostParse => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref parseTicks));

    public TimeSpan HostDecode => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref hostDecodeTicks));

    public long CompressedBytes => Interlocked.Read(ref compressedBytes);

    public void AddRead(long ticks, long bytes)
    {
        Interlocked.Add(ref readTicks, ticks);
        Interlocked.Add(ref compressedBytes, bytes);
    }

    public void AddParse(long ticks) => Interlocked.Add(ref parseTicks, ticks);

    public void AddHostDecode(long ticks) => Interlocked.Add(ref hostDecodeTicks, ticks);
}
