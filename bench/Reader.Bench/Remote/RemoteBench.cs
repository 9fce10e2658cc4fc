using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Bench.Sweep;
using Reader.Core.Sources.Remote;

namespace Reader.Bench.Remote;

/// <summary>What the remote bench measures.</summary>
internal sealed record RemoteBenchOptions
{
    public double Scale { get; init; } = 0.1;

    public int LatencyMilliseconds { get; init; } = 20;

    /// <summary>Aligned 256 patches timed per configuration (spread evenly over level 0).</summary>
    public int Patches { get; init; } = 400;

    public int InFlight { get; init; } = 16;

    /// <summary>Patches read through GDAL's /vsicurl/ (one gdal_translate each, as a script would).</summary>
    public int GdalPatches { get; init; } = 20;

    public string OutputFolder { get; init; } = Path.Combine("bench", "results", DateTime.Now.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture) + "-remote");
}

/// <summary>
/// `./build.sh bench remote`: the 0.1-scale study slide served over loopback by a real HTTP server (Kestrel) that
/// adds a fixed latency to every response; requests and round trips to open, requests per aligned 256 patch after
/// open, patches/s at 1 and N in flight (threads, and the batch API) against the local file, and the same reads through
/// GDAL 3.6's /vsicurl/ (gdal_translate -srcwin) as the anchor.
/// </summary>
internal static class RemoteBench
{
    private const int Patch = 256;

    public static int Run(RemoteBenchOptions options, TextWriter console)
    {
        string slidePath = DefaultSlide.Ensure(options.Scale, null, console);
        string folder = Path.GetDirectoryName(slidePath)!;
        RangeServer server = RangeServer.StartAsync(folder).GetAwaiter().GetResult();
        try
        {
            return Measure(options, console, slidePath, server);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static int Measure(RemoteBenchOptions options, TextWriter console, string slidePath, RangeServer server)
    {
        server.Latency = TimeSpan.FromMilliseconds(options.LatencyMilliseconds);
        Uri address = server.AddressOf(Path.GetFileName(slidePath));
        var rows = new List<(string What, string Value)>();
        console.WriteLine($"serving {Path.GetFileName(slidePath)} at {address} with {options.LatencyMilliseconds} ms latency per response");

        // Open: a cold process-wide cache, counted requests; round trips = requests made one after another.
        var remoteOptions = RemoteOptions.Default with { Cache = new RemoteBlockCache(512L << 20) };
        server.ResetCounters();
        var watch = Stopwatch.StartNew();
        using Slide remote = Slide.Open(address.ToString(), new SlideOptions { Remote = remoteOptions });
        double openSeconds = watch.Elapsed.TotalSeconds;
        int openRequests = server.Requests;
        rows.Add(("ours: requests to open (made one after another, so also the round trips)", I(openRequests)));
        rows.Add(("ours: open time, ms (parsing and quickhash included)", F(openSeconds * 1000, 0)));

        using Slide local = Slide.Open(slidePath);
        List<(long X, long Y)> patches = Sample(local.Levels[0].Width, local.Levels[0].Height, options.Patches);

        // 1 in flight, in scan order: requests per patch with the index warm.
        server.ResetCounters();
        double oneRemote = Time(remote, patches, 1);
        int sequentialRequests = server.Requests;
        double oneLocal = Time(local, patches, 1);
        rows.Add(("ours: requests per aligned 256 patch, 1 in flight", F((double)sequentialRequests / patches.Count, 2)));
        rows.Add(("ours: patches/s remote, 1 in flight", F(patches.Count / oneRemote, 0)));
        rows.Add(("ours: patches/s local file, 1 thread", F(patches.Count / oneLocal, 0)));

        // N in flight on a fresh cache (so the requests are made again), threads sharing one handle.
        using Slide remoteN = Slide.Open(address.ToString(), new SlideOptions { Remote = remoteOptions with { Cache = new RemoteBlockCache(512L << 20) } });
        server.ResetCounters();
        double manyRemote = Time(remoteN, patches, options.InFlight);
        int parallelRequests = server.Requests;
        double manyLocal = Time(local, patches, options.InFlight);
        rows.Add(($"ours: patches/s remote, {options.InFlight} in flight", F(patches.Count / manyRemote, 0)));
        rows.Add(($"ours: patches/s local file, {options.InFlight} threads", F(patches.Count / manyLocal, 0)));
        rows.Add(($"ours: requests per patch, {options.InFlight} in flight", F((double)parallelRequests / patches.Count, 2)));

        // The batch API (its tiles prefetched per patch, batches of 32) on a fresh cache.
        using Slide remoteBatch = Slide.Open(address.ToString(), new SlideOptions { Remote = remoteOptions with { Cache = new RemoteBlockCache(512L << 20) } });
        server.ResetCounters();
        watch.Restart();
        int read = 0;
        foreach (PatchBatch batch in remoteBatch.ReadRegions([.. patches.Select(p => new PatchLocation(p.X, p.Y))], Patch, Patch, 0, new BatchOptions { Workers = options.InFlight, BatchSize = 32 }))
        {
            read += batch.Count;
            batch.Dispose();
        }

        rows.Add(("ours: requests per patch, batch API", F((double)server.Requests / read, 2)));
        rows.Add(("ours: patches/s remote, batch API", F(read / watch.Elapsed.TotalSeconds, 0)));

        // GDAL 3.6 /vsicurl/: one gdal_translate per patch, its recommended settings for object stores.
        string? gdal = options.GdalPatches > 0 ? ExternalTools.Which("gdal_translate") : null;
        if (options.GdalPatches <= 0)
        {
            rows.Add(("GDAL /vsicurl/", "not run (--gdal-patches 0)"));
        }
        else if (gdal is null)
        {
            rows.Add(("GDAL /vsicurl/", "absent: gdal_translate not installed (apt-get install gdal-bin)"));
        }
        else
        {
            List<(long X, long Y)> gdalPatches = Sample(local.Levels[0].Width, local.Levels[0].Height, Math.Max(1, options.GdalPatches));
            server.ResetCounters();
            watch.Restart();
            foreach ((long x, long y) in gdalPatches)
            {
                RunGdal(gdal, address, x, y);
            }

            double gdalSeconds = watch.Elapsed.TotalSeconds;
            rows.Add(("GDAL: requests per patch (open included, one process per patch)", F((double)server.Requests / gdalPatches.Count, 2)));
            rows.Add(("GDAL: patches/s, 1 in flight (process start included)", F(gdalPatches.Count / gdalSeconds, 1)));
            server.ResetCounters();
            RunGdal(gdal, address, 0, 0);
            rows.Add(("GDAL: requests to open and read one patch", I(server.Requests)));
        }

        string report = Report(options, slidePath, local, rows);
        Directory.CreateDirectory(options.OutputFolder);
        Output.BarPlot.Write(Path.Combine(options.OutputFolder, "remote.png"), $"Patches/s, {options.LatencyMilliseconds} ms per response", "patches/s",
            [.. rows.Where(r => r.What.Contains("patches/s", StringComparison.Ordinal) && double.TryParse(r.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .Select(r => (r.What.Replace("ours: patches/s ", string.Empty, StringComparison.Ordinal), double.Parse(r.Value, CultureInfo.InvariantCulture)))]);
        File.WriteAllText(Path.Combine(options.OutputFolder, "report.md"), report);
        console.Write(report);
        console.WriteLine($"wrote {Path.Combine(options.OutputFolder, "report.md")}");
        return 0;
    }

    private static string Report(RemoteBenchOptions options, string slidePath, Slide local, List<(string What, string Value)> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Remote reads: our reader over HTTP against the local file and GDAL's /vsicurl/");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Slide: `{Path.GetFileName(slidePath)}`, {local.Levels[0].Width} x {local.Levels[0].Height}, served by Kestrel on loopback with {options.LatencyMilliseconds} ms added to every response.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Patches: {options.Patches} aligned 256 x 256 patches of level 0, spread evenly, in scan order. Ours: 256 KiB blocks, 1 MiB read ahead at open, a 512 MiB block cache per configuration.");
        sb.AppendLine("- GDAL: `gdal_translate -srcwin` on `/vsicurl/URL` with GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR, one process per patch (what a script does), so its open and process start are in every patch.");
        sb.AppendLine("- One run on one machine; compare within the run.");
        sb.AppendLine();
        sb.AppendLine("| measure | value |");
        sb.AppendLine("|---|---:|");
        foreach ((string what, string value) in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value} |");
        }

        sb.AppendLine();
        sb.AppendLine("![patches/s](remote.png)");
        return sb.ToString();
    }

    private static double Time(Slide slide, List<(long X, long Y)> patches, int threads)
    {
        var watch = Stopwatch.StartNew();
        int next = -1;
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                byte[] buffer = new byte[Patch * Patch * 3];
                int i;
                while ((i = Interlocked.Increment(ref next)) < patches.Count)
                {
                    slide.ReadRegion(patches[i].X, patches[i].Y, 0, Patch, Patch, buffer, PixelFormat.Rgb24);
                }
            });
            workers[t].Start();
        }

        foreach (Thread t in workers)
        {
            t.Join();
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static List<(long X, long Y)> Sample(long width, long height, int count)
    {
        var all = new List<(long, long)>();
        for (long y = 0; y + Patch <= height; y += Patch)
        {
            for (long x = 0; x + Patch <= width; x += Patch)
            {
                all.Add((x, y));
            }
        }

        return Sweep.PatchList.Sample(all, count);
    }

    private static void RunGdal(string gdal, Uri address, long x, long y)
    {
        string output = Path.Combine(Path.GetTempPath(), $"wsi-gdal-{Environment.ProcessId}.tif");
        var start = new ProcessStartInfo(gdal) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["GDAL_DISABLE_READDIR_ON_OPEN"] = "EMPTY_DIR";
        start.Environment["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = ".tif";
        foreach (string a in new[] { "-q", "-srcwin", I(x), I(y), I(Patch), I(Patch), "/vsicurl/" + address, output })
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("gdal_translate failed: " + error.Trim());
        }
    }


    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
