using System.Diagnostics;
using System.Globalization;
using Reader.Bench.Backends;

namespace Reader.Bench.Sweep;

/// <summary>
/// The study's process methods, with this program re-invoked as workers (verb "worker"): jobs go
/// down a worker's stdin as "p X Y" lines. Method 1 and 2 wait for each reply before sending the
/// next job (one IPC round trip per patch, like a process pool's map with chunks of one); method 3
/// sends each worker one contiguous chunk. The clock starts when every worker is up.
/// </summary>
internal static class ProcessRunner
{
    public static double Run(BenchBackend backend, string path, List<(long X, long Y)> patches, int level, int size, int workers, ParallelMode mode, Action<int> progress)
    {
        var processes = new List<Process>();
        try
        {
            for (int w = 0; w < workers; w++)
            {
                processes.Add(Start(backend.Name, path, level, size, mode == ParallelMode.ProcessOpenPerPatch));
            }

            foreach (Process p in processes)
            {
                string? ready = p.StandardOutput.ReadLine();
                if (ready != "ready")
                {
                    throw new InvalidOperationException($"worker failed to start: {ready} {p.StandardError.ReadToEnd()}");
                }
            }

            int done = 0;
            var watch = Stopwatch.StartNew();
            if (mode == ParallelMode.ProcessChunked)
            {
                int per = (patches.Count + workers - 1) / workers;
                var chunks = Enumerable.Range(0, workers).Select(w => patches.Skip(w * per).Take(per).ToList()).ToList();
                for (int w = 0; w < workers; w++)
                {
                    StreamWriter input = processes[w].StandardInput;
                    input.WriteLine(string.Create(CultureInfo.InvariantCulture, $"b {chunks[w].Count}"));
                    foreach ((long x, long y) in chunks[w])
                    {
                        input.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{x} {y}"));
                    }

                    input.Flush();
                }

                for (int w = 0; w < workers; w++)
                {
                    Expect(processes[w], "d");
                    progress(Interlocked.Add(ref done, chunks[w].Count));
                }
            }
            else
            {
                int next = 0;
                var dispatchers = processes.Select(p => new Thread(() =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next) - 1) < patches.Count)
                    {
                        p.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p {patches[i].X} {patches[i].Y}"));
                        p.StandardInput.Flush();
                        Expect(p, "d");
                        if ((Interlocked.Increment(ref done) & 31) == 0)
                        {
                            progress(Volatile.Read(ref done));
                        }
                    }
                })).ToList();
                dispatchers.ForEach(t => t.Start());
                dispatchers.ForEach(t => t.Join());
            }

            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (Process p in processes)
            {
                try
                {
                    p.StandardInput.WriteLine("q");
                    p.StandardInput.Flush();
                    if (!p.WaitForExit(5000))
                    {
                        p.Kill();
                    }
                }
                catch (IOException)
                {
                }

                p.Dispose();
            }
        }
    }

    private static void Expect(Process p, string prefix)
    {
        string? line = p.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"worker said '{line}': {p.StandardError.ReadToEnd()}");
        }
    }

    private static Process Start(string backend, string path, int level, int size, bool openPerPatch)
    {
        string self = typeof(ProcessRunner).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_TieredCompilation"] = "0"; // optimised code from the first call: no background JIT competing with the timed run
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? string.Empty) == "dotnet")
        {
            info.ArgumentList.Add(self);
        }

        foreach (string a in new[] { "worker", "--backend", backend, "--slide", path, "--level", level.ToString(CultureInfo.InvariantCulture), "--patch", size.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        if (openPerPatch)
        {
            info.ArgumentList.Add("--open-per-patch");
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start a worker process");
    }

    /// <summary>The worker side: read jobs from stdin until "q".</summary>
    public static int Worker(string backendName, string path, int level, int size, bool openPerPatch)
    {
        BenchBackend backend = BackendRegistry.Get(backendName);
        var scratch = new PatchScratch(size, size);
        IPatchSource? held = openPerPatch ? null : backend.Open(path);
        try
        {
            // Warm up (JIT to optimised code, decoder creation) before announcing readiness, so a
            // fresh process is timed like the long-lived sweep process: aligned and unaligned paths.
            for (int i = 0; i < 200; i++)
            {
                using IPatchSource warm = openPerPatch ? backend.Open(path) : new NonOwning(held!);
                warm.Read(i % 2, i % 2, level, size, size, scratch);
            }

            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            string? line;
            while ((line = Console.In.ReadLine()) is not null && line != "q")
            {
                string[] parts = line.Split(' ');
                if (parts[0] == "b")
                {
                    int n = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    var jobs = new (long, long)[n];
                    for (int i = 0; i < n; i++)
                    {
                        string[] xy = Console.In.ReadLine()!.Split(' ');
                        jobs[i] = (long.Parse(xy[0], CultureInfo.InvariantCulture), long.Parse(xy[1], CultureInfo.InvariantCulture));
                    }

                    foreach ((long x, long y) in jobs)
                    {
                        ReadOne(backend, held, path, x, y, level, size, scratch);
                    }

                    Console.Out.WriteLine("d");
                }
                else
                {
                    ReadOne(backend, held, path, long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), level, size, scratch);
                    Console.Out.WriteLine("d");
                }

                Console.Out.Flush();
            }

            return 0;
        }
        finally
        {
            held?.Dispose();
        }
    }

    private static void ReadOne(BenchBackend backend, IPatchSource? held, string path, long x, long y, int level, int size, PatchScratch scratch)
    {
        if (held is not null)
        {
            held.Read(x, y, level, size, size, scratch);
            return;
        }

        using IPatchSource once = backend.Open(path);
        once.Read(x, y, level, size, size, scratch);
    }

    private sealed class NonOwning(IPatchSource inner) : IPatchSource
    {
        public void Read(long x, long y, int level, int width, int height, PatchScratch scratch) => inner.Read(x, y, level, width, height, scratch);

        public void Dispose()
        {
        }
    }
}
