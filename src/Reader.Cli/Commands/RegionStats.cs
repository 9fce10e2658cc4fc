using System.Text.Json;
using Reader.Gpu;

namespace Reader.Cli.Commands;

/// <summary>The one JSON object <c>wsi region --backend gpu --stats</c> prints on standard error.</summary>
internal static class RegionStats
{
    public static string Json(BackendSlide slide)
    {
        DeviceReadStats read = slide.LastDeviceRead ?? throw new InvalidOperationException("no device read to report");
        BatchTimings t = read.Timings;
        var tiles = new Dictionary<string, object>
        {
            [read.Codec] = new
            {
                device = read.Tiles.Count(o => o.Path == TileDecodePath.Device),
                host = read.Tiles.Count(o => o.Path is TileDecodePath.Cpu or TileDecodePath.CpuFallback),
                fallback = read.Tiles.Count(o => o.Path == TileDecodePath.CpuFallback),
                missing = read.Tiles.Count(o => o.Path == TileDecodePath.Missing),
                cached = read.Tiles.Count(o => o.Path == TileDecodePath.Cached),
            },
        };
        var document = new
        {
            backend = "gpu",
            accelerator = slide.Choice?.Device,
            isGpu = slide.Choice?.IsGpu ?? false,
            tiles,
            hostReasons = read.Tiles.Where(o => o.Reason is not null).GroupBy(o => o.Reason!).ToDictionary(g => g.Key, g => g.Count()),
            cacheHits = t.CachedTiles, // from the decoder's device tile cache (off unless GpuReaderOptions.DeviceTileCacheBytes is set)
            batchSize = read.BatchSize,
            phasesSynchronized = t.PhasesSynchronized,
            phasesMs = new Dictionary<string, double>
            {
                ["kernelLoad"] = Ms(slide.KernelLoadTime),
                ["fileRead"] = Ms(t.FileRead),
                ["hostParse"] = Ms(t.HostParse),
                ["hostDecode"] = Ms(t.HostDecode),
                ["workspaceWait"] = Ms(t.WorkspaceWait),
                ["pack"] = Ms(t.Pack),
                ["upload"] = Ms(t.Upload),
                ["huffman"] = Ms(t.Huffman),
                ["idct"] = Ms(t.Idct),
                ["colour"] = Ms(t.Color),
                ["fallback"] = Ms(t.Fallback),
                ["assembly"] = Ms(t.Assembly),
            },
            compressedBytes = t.CompressedBytes,
            huffman = new { rounds = t.HuffmanRounds, segments = t.HuffmanSegments },
            kernels = t.Kernels.Select(k => new { name = k.Name, launches = k.Launches, threads = k.Threads, groupSize = k.GroupSize, maxSerialBytes = k.MaxSerialBytes }),
        };
        return JsonSerializer.Serialize(document);
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);
}
