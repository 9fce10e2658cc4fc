using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Reader.Core;
using Reader.Loader;

namespace Reader.Tiling;

/// <summary>
/// Tiles this task's share of the slides into <c>OUT/KEY/</c>, one folder per slide. Each slide is written into a
/// temporary sibling folder (<c>OUT/.KEY.partial-*</c>), finished with its done marker and renamed into place; a slide
/// whose marker matches its input and the options, and whose files are intact, is skipped. So any number of reruns,
/// killed tasks included, converge on the same bytes as one uninterrupted run.
/// </summary>
public static class TileRun
{
    /// <summary>The run description every task writes (identically) at the top of the output folder; <c>--check</c> reads it.</summary>
    public const string RunFile = "tile-run.json";

    private const int Chunk = 256; // patches read and encoded in parallel before they are written in order

    /// <summary>Tiles the slides of <paramref name="shard"/>; a slide that fails is reported in the summary and skipped.</summary>
    public static TileSummary Run(IReadOnlyList<TileInput> inputs, string output, TileOptions options, ShardSpec shard, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var encoder = new PatchEncoder(options.Encoding, options.Quality);
        var clock = Stopwatch.StartNew();
        string[] keys = SlideKeys.Assign(inputs);
        Directory.CreateDirectory(output);
        WriteRunFile(output, inputs, keys, options);
        long[] sizes = [.. inputs.Select(i => Size(i.FullPath))];
        int[] shards = ShardAssignment.Assign(keys, sizes, shard.Count);
        int[] mine = [.. Enumerable.Range(0, inputs.Count).Where(i => shards[i] == shard.Index)];
        long totalBytes = mine.Sum(i => sizes[i]), doneBytes = 0;
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wsi tile: shard {shard}: {mine.Length} of {inputs.Count} slides, {totalBytes / 1e6:F1} MB of input, into {output}"));

        int written = 0, skipped = 0;
        long patches = 0, bytes = 0;
        var failures = new List<TileFailure>();
        for (int n = 0; n < mine.Length; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int i = mine[n];
            var slideClock = Stopwatch.StartNew();
            string status;
            try
            {
                (bool done, long p, long b) = TileSlide(inputs[i], keys[i], output, options, encoder, cancellationToken);
                if (done)
                {
                    written++;
                    patches += p;
                    bytes += b;
                    status = string.Create(CultureInfo.InvariantCulture, $"{p} patches, {b / 1e6:F1} MB, {slideClock.Elapsed.TotalSeconds:F1} s");
                }
                else
                {
                    skipped++;
                    status = "done before, skipped";
                }
            }
            catch (Exception e) when (e is SlideException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                string reason = OneLine(e.Message);
                failures.Add(new TileFailure(inputs[i].Path, reason));
                status = "FAILED: " + reason;
            }

            doneBytes += sizes[i];
            double elapsed = clock.Elapsed.TotalSeconds;
            double eta = doneBytes > 0 ? elapsed * (totalBytes - doneBytes) / doneBytes : 0;
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{n + 1}/{mine.Length}] {keys[i]}: {status} | total {patches} patches, {patches / Math.Max(elapsed, 1e-3):F0} patches/s, ETA {eta:F0} s"));
        }

        return new TileSummary(shard, mine.Length, written, skipped, patches, bytes, clock.Elapsed.TotalSeconds, failures);
    }

    /// <summary>The slide keys in input order (the output folder names), as a run assigns them.</summary>
    public static IReadOnlyList<string> Keys(IReadOnlyList<TileInput> inputs) => SlideKeys.Assign(inputs);

    /// <summary>The shard of each input, as every task computes it (balanced by input size).</summary>
    public static int[] Shards(IReadOnlyList<TileInput> inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ShardAssignment.Assign(SlideKeys.Assign(inputs), [.. inputs.Select(i => Size(i.FullPath))], count);
    }

    /// <summary>Input size for balancing: bytes of the file, or of a folder's files; 0 when missing (it fails when its turn comes).</summary>
    internal static long Size(string fullPath)
    {
        try
        {
            return InputIdentity.Of(fullPath).Size;
        }
        catch (Exception e) when (e is IOException or NotSupportedException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Tiles one slide unless its output is done and current; returns whether it wrote, and its patches and bytes.</summary>
    private static (bool Written, long Patches, long Bytes) TileSlide(TileInput input, string key, string output, TileOptions options, PatchEncoder encoder, CancellationToken cancellationToken)
    {
        InputIdentity identity = InputIdentity.Of(input, TilePlan.AnnotationsOf(input, options));
        string final = Path.Combine(output, key);
        string fingerprint = options.Fingerprint();
        if (DoneMarker.Read(final) is { } marker && marker.Options == fingerprint && marker.Input.SameFile(identity) && marker.Damage(final) is null)
        {
            return (false, marker.Patches, marker.Bytes);
        }

        RemoveLeftovers(output, key);
        string temporary = Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $".{key}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(temporary);
        try
        {
            long patches, bytes;
            IReadOnlyList<string> files;
            string? quickHash;
            using (Slide slide = Slide.Open(input.FullPath))
            {
                quickHash = slide.Properties.TryGetValue("openslide.quickhash-1", out string? q) ? q : null;
                if (options.Format == TileFormat.Dzi)
                {
                    (files, patches, bytes) = DziWriter.Write(slide, temporary, key, input.Path, input.Label, options, encoder, cancellationToken);
                }
                else
                {
                    (files, patches, bytes) = WriteWebDataset(slide, temporary, key, input, options, encoder, cancellationToken);
                }
            }

            var done = new DoneMarker(input.Path, key, identity with { QuickHash = quickHash }, fingerprint, patches, bytes,
                [.. files.Select(f => (f, new FileInfo(Path.Combine(temporary, f)).Length))]);
            done.Write(temporary);
            if (Directory.Exists(final))
            {
                // Replace a stale or damaged output: move it aside, move the new one in, then delete the old one.
                string old = Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $".{key}.old-{Environment.ProcessId}-{Guid.NewGuid():N}"));
                Directory.Move(final, old);
                Directory.Move(temporary, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temporary, final);
            }

            return (true, patches, bytes);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static (IReadOnlyList<string> Files, long Patches, long Bytes) WriteWebDataset(Slide slide, string folder, string key, TileInput input, TileOptions options, PatchEncoder encoder, CancellationToken cancellationToken)
    {
        TilePlan plan = TilePlan.Of(slide, input, options);
        PatchGeometry g = plan.Geometry;
        long extentX = (long)Math.Round(g.ExtentX), extentY = (long)Math.Round(g.ExtentY);
        using var writer = new WebDatasetWriter(folder, key, options);
        var images = new byte[Chunk][];
        long bytes = 0;
        for (int start = 0; start < plan.Patches.Count; start += Chunk)
        {
            int count = Math.Min(Chunk, plan.Patches.Count - start);
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken },
                () => (Rgb: new byte[g.Width * g.Height * 3], Scratch: (byte[]?)null),
                (j, _, buffers) =>
                {
                    plan.Read(slide, plan.Patches[start + j], buffers.Rgb, ref buffers.Scratch);
                    images[j] = encoder.Encode(buffers.Rgb, g.Width, g.Height);
                    return buffers;
                },
                _ => { });
            for (int j = 0; j < count; j++)
            {
                GridPatch at = plan.Patches[start + j];
                var row = new PatchIndexRow
                {
                    Slide = input.Path,
                    Level = g.Level,
                    X = at.X,
                    Y = at.Y,
                    Width = extentX,
                    Height = extentY,
                    Mpp = g.Mpp,
                    Tissue = at.Tissue,
                    Label = at.Label,
                };
                writer.Add(string.Create(CultureInfo.InvariantCulture, $"{key}_{at.X}_{at.Y}"), encoder.Extension, images[j], row);
                bytes += images[j].Length;
            }
        }

        writer.Complete();
        return (writer.Files, writer.Patches, bytes);
    }

    private static void WriteRunFile(string output, IReadOnlyList<TileInput> inputs, string[] keys, TileOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("options", options.Fingerprint());
            json.WriteStartArray("slides");
            for (int i = 0; i < inputs.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("path", inputs[i].Path);
                json.WriteString("fullPath", inputs[i].FullPath);
                json.WriteString("key", keys[i]);
                WriteOptional(json, "label", inputs[i].Label);
                WriteOptional(json, "annotations", TilePlan.AnnotationsOf(inputs[i], options));
                WriteOptional(json, "mask", inputs[i].Mask);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        // Every task writes the same bytes; write-then-rename so a reader never sees half a file.
        string path = Path.Combine(output, RunFile);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(buffer.ToArray()))
        {
            return;
        }

        string temporary = path + string.Create(CultureInfo.InvariantCulture, $".{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, buffer.ToArray());
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>Temporary and replaced folders of <paramref name="key"/> left by a killed task.</summary>
    internal static IEnumerable<string> Leftovers(string output, string key) =>
        Directory.EnumerateDirectories(output, "." + key + ".partial-*").Concat(Directory.EnumerateDirectories(output, "." + key + ".old-*"));

    private static void RemoveLeftovers(string output, string key)
    {
        foreach (string folder in Leftovers(output, key).ToList())
        {
            TryDelete(folder);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
