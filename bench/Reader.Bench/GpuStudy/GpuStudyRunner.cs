using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Reader.Bench.Sweep;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Native;
using Reader.Reference;
using Reader.Reference.OpenSlide;

namespace Reader.Bench.GpuStudy;

/// <summary>
/// The GPU device check, in one run: generate the study slide on the machine, check a sample of patches bit-exact
/// between the GPU path and the CPU path, then time every aligned 256 x 256 level-0 patch into device memory (GPU),
/// the same on our CPU path with all cores, and OpenSlide and raw libjpeg-turbo with all cores on a sample; with
/// the GPU time split into phases, the kernel load time, tiles/s, GB/s and the ratios. Writes gpu-study.md and
/// gpu-study.json. On a machine without a GPU it runs on ILGPU's CPU accelerator and says so on every line.
/// </summary>
internal static class GpuStudyRunner
{
    private const int Patch = 256;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(GpuStudyOptions options, TextWriter console)
    {
        Directory.CreateDirectory(options.OutputFolder);
        var report = new StringBuilder();
        void Say(string line)
        {
            console.WriteLine(line);
            report.AppendLine(line);
        }

        var total = Stopwatch.StartNew();
        Say("# GPU study");
        Say(string.Empty);
        Say($"- machine: {MachineInfo.Cpu}, {Environment.ProcessorCount} cores, {MachineInfo.Memory}; {MachineInfo.Versions}");
        Say($"- OpenSlide: {(OpenSlideImage.IsAvailable ? OpenSlideImage.LibraryVersion : "absent: " + OpenSlideImage.UnavailableReason)}; native shim: {(NativeShim.IsAvailable ? "yes" : "absent: " + NativeShim.UnavailableReason)}");

        var contextWatch = Stopwatch.StartNew();
        var gpuOptions = new GpuReaderOptions { Accelerator = options.Accelerator, Notice = _ => { } };
        using var decoder = new GpuDecoder(gpuOptions); // context, accelerator and kernels: once per process
        TimeSpan startup = contextWatch.Elapsed;
        bool isGpu = decoder.Choice.IsGpu;
        string label = isGpu ? "GPU" : "ILGPU CPU accelerator (NOT A GPU)";
        Say($"- accelerator: {decoder.Choice.Report}");
        Say($"- native library lookup: {decoder.Choice.Resolver}");
        Say(string.Create(Inv, $"- start-up (context + accelerator + kernels): {startup.TotalSeconds:F2} s, of which kernel load {decoder.KernelLoadTime.TotalSeconds:F2} s (ILGPU has no on-disk cache: every process pays it)"));
        if (!isGpu)
        {
            Say("- NOTE: no GPU here. Every \"GPU\" number below is ILGPU's CPU accelerator simulating GPU threads: a correctness run, not a speed.");
        }

        int batchSize = options.BatchSize > 0 ? options.BatchSize : isGpu ? 1024 : 64;
        var genWatch = Stopwatch.StartNew();
        string path = options.SlidePath ?? DefaultSlide.Ensure(options.Scale, options.CacheFolder, console);
        TimeSpan generation = genWatch.Elapsed;
        using var slide = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        SlideLevel level0 = slide.Levels[0];
        List<PatchLocation> all = [.. PatchList.Grid(level0.Width, level0.Height, Patch, 0).Select(p => new PatchLocation(p.X, p.Y))];
        List<PatchLocation> timed = Sample(all, options.Fraction);
        long fileBytes = new FileInfo(path).Length;
        Say(string.Create(Inv, $"- slide: {Path.GetFileName(path)}, {level0.Width} x {level0.Height}, tile {level0.TileWidth}, {fileBytes / 1e9:F2} GB, {all.Count} aligned patches ({(options.SlidePath is null ? $"generated or reused in {generation.TotalSeconds:F1} s" : "given")}); timed: {timed.Count}"));
        Say(string.Create(Inv, $"- workers {options.Workers}; device batches of {batchSize} patches; page cache warm (the slide was just written or read)"));
        Say(string.Empty);

        // 1. Correctness: a sample of aligned and unaligned patches, GPU path against the CPU path, byte for byte.
        Say("## Bit-exactness (GPU path vs CPU path, libjpeg-turbo)");
        (int compared, int differing, string? firstDifference) = Check(decoder, slide, all, options.CheckPatches, batchSize, options.Workers);
        Say($"- {compared} patches compared (aligned and unaligned): {(differing == 0 ? "all identical" : $"{differing} DIFFER; first: {firstDifference}")}");
        Say(string.Empty);

        // 2. Timings.
        Say("## Throughput (every aligned 256 x 256 level-0 patch" + (timed.Count < all.Count ? ", sampled" : string.Empty) + ")");
        ReadRegionsWarmUp(decoder, slide, all, batchSize, options.Workers);
        (double gpuSeconds, BatchTimings gpuPhases, long compressed) = TimeDevice(decoder, slide, timed, batchSize, options.Workers);
        double cpuSeconds = TimeCpu(path, timed, options.Workers);
        List<PatchLocation> reference = Sample(all, options.ReferenceFraction);
        double? openSlideSeconds = OpenSlideImage.IsAvailable ? TimeOpenSlide(path, reference, options.Workers) : null;
        double? rawSeconds = TurboJpeg.IsAvailable ? TimeRaw(path, reference, options.Workers) : null;

        double outputBytes = (double)Patch * Patch * 3;
        var rows = new List<StudyRow>
        {
            Row(label + " (device batch API, into device memory)", timed.Count, gpuSeconds, outputBytes, compressed),
            Row($"our CPU path (batch API, libjpeg-turbo, {options.Workers} workers)", timed.Count, cpuSeconds, outputBytes, compressed),
        };
        if (openSlideSeconds is { } os)
        {
            rows.Add(Row($"OpenSlide {OpenSlideImage.LibraryVersion} ({options.Workers} threads, one handle, sample)", reference.Count, os, outputBytes, 0));
        }

        if (rawSeconds is { } raw)
        {
            rows.Add(Row($"raw libjpeg-turbo TurboJPEG decode ({options.Workers} threads, same tiles in memory, sample)", reference.Count, raw, outputBytes, 0));
        }

        Say("| path | patches | seconds | tiles/s | output GB/s | compressed GB/s |");
        Say("|---|---:|---:|---:|---:|---:|");
        foreach (StudyRow r in rows)
        {
            Say(string.Create(Inv, $"| {r.Path} | {r.Patches} | {r.Seconds:F2} | {r.TilesPerSecond:F0} | {r.OutputGBps:F2} | {(r.CompressedGBps > 0 ? r.CompressedGBps.ToString("F2", Inv) : "-")} |"));
        }

        Say(string.Empty);
        Say(string.Create(Inv, $"Ratios (tiles/s, same run, same machine; the OpenSlide and raw libjpeg-turbo rates come from a {reference.Count}-patch random sample of the {all.Count} patches the GPU and CPU rows time):"));
        var ratios = new Dictionary<string, double>();
        void Ratio(string name, StudyRow a, StudyRow? b)
        {
            if (b is not null && b.TilesPerSecond > 0)
            {
                ratios[name] = a.TilesPerSecond / b.TilesPerSecond;
                Say(string.Create(Inv, $"- {name}: {ratios[name]:F2}x"));
            }
        }

        StudyRow gpuRow = rows[0], cpuRow = rows[1];
        StudyRow? osRow = rows.FirstOrDefault(r => r.Path.StartsWith("OpenSlide", StringComparison.Ordinal));
        StudyRow? rawRow = rows.FirstOrDefault(r => r.Path.StartsWith("raw", StringComparison.Ordinal));
        Ratio($"{label} / our CPU path", gpuRow, cpuRow);
        Ratio($"{label} / OpenSlide", gpuRow, osRow);
        Ratio("our CPU path / OpenSlide", cpuRow, osRow);
        Ratio($"{label} / raw libjpeg-turbo", gpuRow, rawRow);
        Ratio("our CPU path / raw libjpeg-turbo", cpuRow, rawRow);
        Say(string.Empty);

        // 3. Phases: host phases from the timed pass; device phases from a pass synchronized after every step.
        Say("## Where the GPU path's time goes");
        List<PatchLocation> phased = Sample(timed, options.PhaseFraction);
        using var phaseDecoder = new GpuDecoder(gpuOptions with { PhaseTimings = true });
        (double phaseSeconds, BatchTimings phases, _) = TimeDevice(phaseDecoder, slide, phased, batchSize, options.Workers);
        Say(string.Create(Inv, $"Host phases of the timed pass (CPU time summed over {options.Workers} workers; wall {gpuSeconds:F2} s):"));
        Say(string.Create(Inv, $"- file read {gpuPhases.FileRead.TotalSeconds:F2} s, host parse {gpuPhases.HostParse.TotalSeconds:F2} s, CPU decodes {gpuPhases.HostDecode.TotalSeconds:F2} s, packing {gpuPhases.Pack.TotalSeconds:F2} s, waiting for a workspace {gpuPhases.WorkspaceWait.TotalSeconds:F2} s"));
        Say(string.Create(Inv, $"Device phases, synchronized after each ({phased.Count} patches, wall {phaseSeconds:F2} s; the syncs serialise the batches):"));
        Say(string.Create(Inv, $"- upload {phases.Upload.TotalSeconds:F3} s, Huffman {phases.Huffman.TotalSeconds:F3} s, IDCT {phases.Idct.TotalSeconds:F3} s, colour {phases.Color.TotalSeconds:F3} s, fallback {phases.Fallback.TotalSeconds:F3} s, assembly {phases.Assembly.TotalSeconds:F3} s"));
        Say(string.Create(Inv, $"- tiles: {phases.DeviceTiles} on the device, {phases.CpuTiles} on the CPU, {phases.FallbackTiles} fell back; table sets per batch: {phases.TableSets}"));
        Say(string.Create(Inv, $"- kernel load (once per process): {decoder.KernelLoadTime.TotalSeconds:F2} s"));
        Say(string.Empty);
        Say(string.Create(Inv, $"Kernel work shapes over the phased pass (launches summed; threads of the largest launch; Huffman: at most {phases.HuffmanRounds} synchronisation rounds, {phases.HuffmanSegments} segments; goals: no Huffman thread over 4 KiB, at least 64 Huffman threads per tile):"));
        Say("| kernel | launches | threads (largest launch) | group size | largest serial input (bytes) |");
        Say("|---|---:|---:|---:|---:|");
        foreach (KernelShape k in phases.Kernels)
        {
            Say(string.Create(Inv, $"| {k.Name} | {k.Launches} | {k.Threads} | {(k.GroupSize > 0 ? k.GroupSize.ToString(Inv) : "ILGPU's")} | {(k.MaxSerialBytes > 0 ? k.MaxSerialBytes.ToString(Inv) : "-")} |"));
        }

        Say(string.Empty);
        Say(string.Create(Inv, $"Total run time {total.Elapsed.TotalSeconds:F0} s."));

        var json = new
        {
            machine = new { cpu = MachineInfo.Cpu, cores = Environment.ProcessorCount, memory = MachineInfo.Memory, versions = MachineInfo.Versions },
            accelerator = new { kind = decoder.Choice.Kind.ToString(), isGpu, device = decoder.Choice.Device, report = decoder.Choice.Report, resolver = decoder.Choice.Resolver },
            startupSeconds = startup.TotalSeconds,
            kernelLoadSeconds = decoder.KernelLoadTime.TotalSeconds,
            slide = new { path, width = level0.Width, height = level0.Height, tile = level0.TileWidth, bytes = fileBytes, patches = all.Count, timed = timed.Count, generationSeconds = generation.TotalSeconds },
            batchSize,
            workers = options.Workers,
            check = new { compared, differing, firstDifference },
            rows,
            ratios,
            hostPhasesSeconds = new { fileRead = gpuPhases.FileRead.TotalSeconds, hostParse = gpuPhases.HostParse.TotalSeconds, cpuDecodes = gpuPhases.HostDecode.TotalSeconds, pack = gpuPhases.Pack.TotalSeconds, workspaceWait = gpuPhases.WorkspaceWait.TotalSeconds },
            kernels = phases.Kernels,
            huffman = new { rounds = phases.HuffmanRounds, segments = phases.HuffmanSegments },
            devicePhasesSeconds = new { patches = phased.Count, wall = phaseSeconds, upload = phases.Upload.TotalSeconds, huffman = phases.Huffman.TotalSeconds, idct = phases.Idct.TotalSeconds, colour = phases.Color.TotalSeconds, fallback = phases.Fallback.TotalSeconds, assembly = phases.Assembly.TotalSeconds },
        };
        PhasePlot?.Invoke(
            Path.Combine(options.OutputFolder, "gpu-study-phases.png"),
            $"GPU study phases ({decoder.Choice.Kind}{(isGpu ? string.Empty : ", not a GPU")}), seconds",
            [
                ("file read (host)", gpuPhases.FileRead.TotalSeconds), ("host parse", gpuPhases.HostParse.TotalSeconds), ("CPU decodes", gpuPhases.HostDecode.TotalSeconds),
                ("packing", gpuPhases.Pack.TotalSeconds), ("upload", phases.Upload.TotalSeconds), ("Huffman", phases.Huffman.TotalSeconds), ("IDCT", phases.Idct.TotalSeconds),
                ("colour", phases.Color.TotalSeconds), ("fallback", phases.Fallback.TotalSeconds), ("assembly", phases.Assembly.TotalSeconds),
            ]);
        File.WriteAllText(Path.Combine(options.OutputFolder, "gpu-study.md"), report.ToString());
        File.WriteAllText(Path.Combine(options.OutputFolder, "gpu-study.json"), JsonSerializer.Serialize(json, Indented));
        console.WriteLine($"wrote {Path.Combine(options.OutputFolder, "gpu-study.md")} and gpu-study.json");
        return differing == 0 ? 0 : 1;
    }

    private static StudyRow Row(string path, int patches, double seconds, double outputBytesPerPatch, long compressed) =>
        new(path, patches, seconds, patches / seconds, patches * outputBytesPerPatch / seconds / 1e9, compressed / seconds / 1e9);

    private static List<PatchLocation> Sample(List<PatchLocation> all, double fraction) =>
        fraction >= 1 ? all : [.. PatchList.Sample([.. all.Select(p => (p.X, p.Y))], Math.Max(1, (int)(all.Count * fraction))).Select(p => new PatchLocation(p.X, p.Y))];

    private static (int Compared, int Differing, string? First) Check(GpuDecoder decoder, Slide slide, List<PatchLocation> all, int count, int batchSize, int workers)
    {
        var rng = new Random(2021);
        SlideLevel l = slide.Levels[0];
        var sample = new List<PatchLocation>();
        for (int i = 0; i < count; i++)
        {
            sample.Add(i % 2 == 0 ? all[rng.Next(all.Count)] : new PatchLocation(rng.NextInt64(-Patch / 2, l.Width - (Patch / 2)), rng.NextInt64(-Patch / 2, l.Height - (Patch / 2))));
        }

        var options = new BatchOptions { BatchSize = Math.Min(batchSize, 64), Workers = workers };
        using var cpuSlide = Slide.Open(slide.Path, new SlideOptions { Backend = NativeShim.IsAvailable ? DecoderBackend.Native : DecoderBackend.Managed });
        using IEnumerator<PatchBatch> cpu = cpuSlide.ReadRegions(sample, Patch, Patch, 0, options).GetEnumerator();
        int differing = 0, index = 0;
        string? first = null;
        foreach (DeviceBatch gpu in decoder.ReadRegions(slide, sample, Patch, Patch, 0, options))
        {
            using (gpu)
            {
                Assert(cpu.MoveNext());
                using PatchBatch expected = cpu.Current;
                byte[] actual = gpu.ToArray();
                for (int i = 0; i < gpu.Count; i++, index++)
                {
                    ReadOnlySpan<byte> a = actual.AsSpan(i * (int)gpu.PatchBytes, (int)gpu.PatchBytes);
                    if (!a.SequenceEqual(expected.Patch(i)))
                    {
                        differing++;
                        first ??= $"patch at ({sample[index].X}, {sample[index].Y})";
                    }
                }
            }
        }

        return (sample.Count, differing, first);
    }

    private static void ReadRegionsWarmUp(GpuDecoder decoder, Slide slide, List<PatchLocation> all, int batchSize, int workers)
    {
        foreach (DeviceBatch batch in decoder.ReadRegions(slide, all[^Math.Min(all.Count, batchSize)..], Patch, Patch, 0, new BatchOptions { BatchSize = batchSize, Workers = workers }))
        {
            batch.Dispose();
        }
    }

    private static (double Seconds, BatchTimings Sum, long Compressed) TimeDevice(GpuDecoder decoder, Slide slide, List<PatchLocation> patches, int batchSize, int workers)
    {
        var sum = new BatchTimings();
        var watch = Stopwatch.StartNew();
        foreach (DeviceBatch batch in decoder.ReadRegions(slide, patches, Patch, Patch, 0, new BatchOptions { BatchSize = batchSize, Workers = workers, Prefetch = 2 }))
        {
            using (batch)
            {
                sum = Add(sum, batch.Timings);
            }
        }

        return (watch.Elapsed.TotalSeconds, sum, sum.CompressedBytes);
    }

    private static double TimeCpu(string path, List<PatchLocation> patches, int workers)
    {
        using var slide = Slide.Open(path, new SlideOptions { Backend = NativeShim.IsAvailable ? DecoderBackend.Native : DecoderBackend.Managed });
        var options = new BatchOptions { Workers = workers, BatchSize = 32, Prefetch = 2 * workers };
        foreach (PatchBatch warm in slide.ReadRegions(patches[^Math.Min(patches.Count, 64)..], Patch, Patch, 0, options))
        {
            warm.Dispose();
        }

        var watch = Stopwatch.StartNew();
        foreach (PatchBatch batch in slide.ReadRegions(patches, Patch, Patch, 0, options))
        {
            batch.Dispose();
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static double TimeOpenSlide(string path, List<PatchLocation> patches, int workers) =>
        StudyReferences.OpenSlide(path, [.. patches.Select(p => (p.X, p.Y))], Patch, workers);

    private static double TimeRaw(string path, List<PatchLocation> patches, int workers) =>
        StudyReferences.RawLibjpegTurbo(path, patches.Select(p => (p.X / Patch, p.Y / Patch)), workers);

    private static BatchTimings Add(BatchTimings a, BatchTimings b) => new()
    {
        FileRead = a.FileRead + b.FileRead,
        HostParse = a.HostParse + b.HostParse,
        HostDecode = a.HostDecode + b.HostDecode,
        WorkspaceWait = a.WorkspaceWait + b.WorkspaceWait,
        Pack = a.Pack + b.Pack,
        Upload = a.Upload + b.Upload,
        Huffman = a.Huffman + b.Huffman,
        Idct = a.Idct + b.Idct,
        Color = a.Color + b.Color,
        Fallback = a.Fallback + b.Fallback,
        Assembly = a.Assembly + b.Assembly,
        PhasesSynchronized = b.PhasesSynchronized,
        DeviceTiles = a.DeviceTiles + b.DeviceTiles,
        CpuTiles = a.CpuTiles + b.CpuTiles,
        FallbackTiles = a.FallbackTiles + b.FallbackTiles,
        MissingTiles = a.MissingTiles + b.MissingTiles,
        TableSets = Math.Max(a.TableSets, b.TableSets),
        CompressedBytes = a.CompressedBytes + b.CompressedBytes,
        HuffmanRounds = Math.Max(a.HuffmanRounds, b.HuffmanRounds),
        HuffmanSegments = a.HuffmanSegments + b.HuffmanSegments,
        Kernels = [.. a.Kernels.Concat(b.Kernels).GroupBy(k => k.Name).Select(g => new KernelShape(g.Key, g.Sum(k => k.Launches), g.Max(k => k.Threads), g.Max(k => k.GroupSize), g.Max(k => k.MaxSerialBytes)))],
    };

    private static void Assert(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("the CPU and device batch APIs gave different batch counts");
        }
    }

    /// <summary>One measured path.</summary>
    /// <summary>Draws the phase chart where a plotting library is at hand (the bench; not the device check, kept small).</summary>
    internal static Action<string, string, IReadOnlyList<(string Name, double Seconds)>>? PhasePlot { get; set; }

    internal sealed record StudyRow(string Path, int Patches, double Seconds, double TilesPerSecond, double OutputGBps, double CompressedGBps);
}
