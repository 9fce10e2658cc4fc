using Reader.Core;
using Reader.Core.Sources;

namespace Reader.Tests.Seams;

/// <summary>SlideSource.ReadRangesAsync: merging thresholds, overlapping and unordered ranges, short reads.</summary>
public sealed class RangeReadTests
{
    private static readonly byte[] Data = [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)((i * 131) ^ (i >> 8)))];

    [Fact]
    public async Task Ranges_within_the_gap_are_read_as_one()
    {
        using var source = new CountingSource(Data);
        ByteRange[] ranges = [new(1000, 100), new(1100 + 4096, 50), new(1100 + 4096 + 50 + 4096, 10)];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, new RangeReadOptions { MaxGap = 4096 }, TestContext.Current.CancellationToken);
        AssertBytes(ranges, got);
        Assert.Equal([new ByteRange(1000, 100 + 4096 + 50 + 4096 + 10)], source.Reads);
    }

    [Fact]
    public async Task A_gap_one_byte_over_the_threshold_splits_the_read()
    {
        using var source = new CountingSource(Data);
        ByteRange[] ranges = [new(1000, 100), new(1100 + 4097, 50)];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, new RangeReadOptions { MaxGap = 4096 }, TestContext.Current.CancellationToken);
        AssertBytes(ranges, got);
        Assert.Equal([new ByteRange(1000, 100), new ByteRange(1100 + 4097, 50)], source.Reads);
    }

    [Fact]
    public async Task Merged_reads_stop_at_the_size_limit_but_a_larger_single_range_is_read_whole()
    {
        using var source = new CountingSource(Data);
        ByteRange[] ranges = [new(0, 3000), new(3000, 3000), new(6000, 3000), new(20_000, 9000)];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, new RangeReadOptions { MaxGap = 100_000, MaxMergedLength = 6000 }, TestContext.Current.CancellationToken);
        AssertBytes(ranges, got);
        Assert.Equal([new ByteRange(0, 6000), new ByteRange(6000, 3000), new ByteRange(20_000, 9000)], source.Reads.OrderBy(r => r.Offset));
    }

    [Fact]
    public async Task Overlapping_duplicate_and_unordered_ranges_come_back_in_request_order()
    {
        using var source = new CountingSource(Data);
        ByteRange[] ranges = [new(50_000, 300), new(10, 20), new(50_100, 1000), new(10, 20), new(50_050, 10), new(900_000, 0), new(15, 2)];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, new RangeReadOptions { MaxGap = 0 }, TestContext.Current.CancellationToken);
        AssertBytes(ranges, got);
        Assert.Equal([new ByteRange(10, 20), new ByteRange(50_000, 1100)], source.Reads.OrderBy(r => r.Offset)); // an empty range needs no read
    }

    [Fact]
    public async Task Many_ranges_are_read_concurrently_up_to_the_limit()
    {
        using var source = new CountingSource(Data) { Delay = TimeSpan.FromMilliseconds(20) };
        ByteRange[] ranges = [.. Enumerable.Range(0, 16).Select(i => new ByteRange(i * 60_000L, 1000))];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, new RangeReadOptions { MaxGap = 0, MaxConcurrency = 4 }, TestContext.Current.CancellationToken);
        AssertBytes(ranges, got);
        Assert.Equal(16, source.Reads.Count);
        Assert.InRange(source.MaxInFlight, 2, 4);
    }

    [Fact]
    public async Task A_range_past_the_end_is_corrupt_naming_the_range()
    {
        using var source = new CountingSource(Data, "ranges.bin");
        ByteRange[] ranges = [new(100, 10), new(Data.Length - 10, 20)];
        var e = await Assert.ThrowsAsync<CorruptSlideException>(() => source.ReadRangesAsync(ranges, null, TestContext.Current.CancellationToken));
        Assert.Contains("ranges.bin", e.Message, StringComparison.Ordinal);
        Assert.Contains($"[{Data.Length - 10}, {Data.Length + 10})", e.Message, StringComparison.Ordinal);
        Assert.Contains("request 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_that_ends_early_is_corrupt_naming_the_range()
    {
        using var source = new CountingSource(Data) { TruncateAt = 5000 }; // claims 1 MiB, serves 5000 bytes: truncated while open
        var e = await Assert.ThrowsAsync<CorruptSlideException>(() => source.ReadRangesAsync([new ByteRange(4000, 2000)], null, TestContext.Current.CancellationToken));
        Assert.Contains("[4000, 6000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Negative_ranges_are_argument_errors()
    {
        using var source = new CountingSource(Data);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.ReadRangesAsync([new ByteRange(-1, 10)], null, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.ReadRangesAsync([new ByteRange(1, -10)], null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cancellation_stops_ranged_reads()
    {
        using var source = new CountingSource(Data) { Delay = TimeSpan.FromMilliseconds(50) };
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.ReadRangesAsync([new ByteRange(0, 10), new ByteRange(500_000, 10)], null, cancel.Token));
    }

    [Fact]
    public async Task File_memory_and_stream_sources_agree_on_ranged_reads()
    {
        string path = Path.Combine(Infrastructure.TestSlides.TempFolder, Guid.NewGuid().ToString("N") + ".bin");
        await File.WriteAllBytesAsync(path, Data, TestContext.Current.CancellationToken);
        ByteRange[] ranges = [new(7, 9000), new(500_000, 17), new(3, 2), new(1_000_000, 48_576)];
        using SlideSource file = SlideSource.OpenFile(path);
        using SlideSource memory = SlideSource.FromMemory(Data);
        using SlideSource stream = SlideSource.FromStream(new MemoryStream(Data));
        foreach (SlideSource source in new[] { file, memory, stream })
        {
            AssertBytes(ranges, await source.ReadRangesAsync(ranges, null, TestContext.Current.CancellationToken));
            var buffer = new byte[100];
            Assert.Equal(100, await source.ReadAsync(12345, buffer, TestContext.Current.CancellationToken));
            Assert.Equal(Data.AsSpan(12345, 100).ToArray(), buffer);
        }
    }

    private static void AssertBytes(ByteRange[] ranges, IReadOnlyList<ReadOnlyMemory<byte>> got)
    {
        Assert.Equal(ranges.Length, got.Count);
        for (int i = 0; i < ranges.Length; i++)
        {
            Assert.True(Data.AsSpan((int)ranges[i].Offset, ranges[i].Length).SequenceEqual(got[i].Span), $"range {i} {ranges[i]}");
        }
    }

    /// <summary>An in-memory source that records every read it serves, can be slow, and can end before its stated length.</summary>
    private sealed class CountingSource(byte[] data, string name = "counting") : SlideSource
    {
        private readonly List<ByteRange> reads = [];
        private int inFlight;
        private int maxInFlight;

        public override string Name => name;

        public override long Length => data.Length;

        public TimeSpan Delay { get; init; }

        public int TruncateAt { get; init; } = int.MaxValue;

        public List<ByteRange> Reads
        {
            get
            {
                lock (reads)
                {
                    return [.. reads];
                }
            }
        }

        public int MaxInFlight => Volatile.Read(ref maxInFlight);

        protected override int ReadCore(long offset, Span<byte> destination)
        {
            int n = (int)Math.Clamp(Math.Min(destination.Length, TruncateAt - offset), 0, destination.Length);
            data.AsSpan((int)offset, n).CopyTo(destination);
            return n;
        }

        protected override async ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            try
            {
                lock (reads)
                {
                    reads.Add(new ByteRange(offset, destination.Length));
                }

                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, cancellationToken);
                }

                return ReadCore(offset, destination.Span);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }
}
