using System.CommandLine;
using Reader.Bench.Sweep;

namespace Reader.Bench;

internal static class Program
{
    public static int Main(string[] args)
    {
        GpuStudy.GpuStudyRunner.PhasePlot = (path, title, bars) => Output.BarPlot.Write(path, title, "seconds", bars);
        var root = new RootCommand("WSI reader benchmark: the cuCIM-vs-OpenSlide study, reproduced and extended");
        root.Subcommands.Add(SweepCommand());
        root.Subcommands.Add(WorkerCommand());
        root.Subcommands.Add(MicroCommand(args));
        root.Subcommands.Add(GpuStudy.GpuStudyCommand.Create());
        root.Subcommands.Add(RemoteCommand());
        root.Subcommands.Add(LoaderCommand());
        root.Subcommands.Add(Tiling.CohortCommand.Create());
        root.Subcommands.Add(Tiling.TilingBench.Create());
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }

            return 2;
        }

        return parsed.Invoke();
    }

    private static Command SweepCommand()
    {
        var slide = new Option<string?>("--slide") { Description = "a slide to read instead of the generated default" };
        var scale = new Option<double>("--scale") { Description = "scale of the study geometry for the default slide (1 = 92344 x 81017)", DefaultValueFactory = _ => 0.2 };
        var backends = new Option<string>("--backends") { Description = "comma-separated: cpu, cpu-managed, openslide, openslide-rgb, libvips, gpu (CUDA/OpenCL only, batch mode), gpu-cpu-accelerator (opt-in: the GPU kernels on ILGPU's CPU accelerator, not a GPU)", DefaultValueFactory = _ => "cpu,cpu-managed,openslide,openslide-rgb,libvips,gpu" };
        var workers = new Option<string?>("--workers") { Description = "comma-separated worker counts (default 1, 2, 4 ... up to the core count)" };
        var modes = new Option<string>("--modes") { Description = "comma-separated: threads, m1, m2, m3, batch", DefaultValueFactory = _ => "threads,m1,m2,m3,batch" };
        var starts = new Option<string>("--starts") { Description = "comma-separated start locations (0 aligned, 1 unaligned)", DefaultValueFactory = _ => "0,1" };
        var patch = new Option<int>("--patch") { Description = "patch size", DefaultValueFactory = _ => 256 };
        var level = new Option<int>("--level") { Description = "pyramid level", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "time at most N patches per configuration (0: all)" };
        var fraction = new Option<double>("--fraction") { Description = "time this fraction of the patches per configuration", DefaultValueFactory = _ => 1.0 };
        var m1Limit = new Option<int>("--m1-limit") { Description = "patches timed for method 1 (open per patch) unless --limit is given", DefaultValueFactory = _ => 1000 };
        var output = new Option<string?>("--out") { Description = "output folder (default bench/results/<date>)" };
        var drop = new Option<bool>("--drop-caches") { Description = "drop the page cache before every configuration (root only)" };
        var quiet = new Option<bool>("--no-progress") { Description = "no live progress line" };
        var formats = new Option<string?>("--formats") { Description = "other formats timed against OpenSlide after the sweep: ndpi, jp2k, or none (default: both for the generated default slide, none with --slide)" };
        var noStartup = new Option<bool>("--no-startup") { Description = "skip timing the tool's start-up (wsi info vs openslide-show-properties; done for the default slide)" };
        var command = new Command("sweep", "our reader against OpenSlide and libvips: threads and processes, aligned and unaligned, with the raw libjpeg-turbo limit");
        foreach (Option o in new Option[] { slide, scale, backends, workers, modes, starts, patch, level, limit, fraction, m1Limit, output, drop, quiet, formats, noStartup })
        {
            command.Options.Add(o);
        }

        command.SetAction(p =>
        {
            var defaults = new SweepOptions();
            var options = new SweepOptions
            {
                SlidePath = p.GetValue(slide),
                Scale = p.GetValue(scale),
                Backends = Split(p.GetValue(backends)!),
                Workers = p.GetValue(workers) is { } w ? [.. Split(w).Select(int.Parse)] : defaults.Workers,
                Modes = [.. Split(p.GetValue(modes)!).Select(ParseMode)],
                Starts = [.. Split(p.GetValue(starts)!).Select(int.Parse)],
                Patch = p.GetValue(patch),
                Level = p.GetValue(level),
                Limit = p.GetValue(limit),
                Fraction = p.GetValue(fraction),
                OpenPerPatchLimit = p.GetValue(m1Limit),
                OutputFolder = p.GetValue(output) ?? defaults.OutputFolder,
                DropCaches = p.GetValue(drop),
                Progress = !p.GetValue(quiet),
                Formats = p.GetValue(formats) is { } f
                    ? [.. Split(f).Where(n => n != "none").Select(n => FormatRows.Known.Contains(n) ? n : throw new ArgumentException($"unknown format '{n}' (ndpi, jp2k, none)"))]
                    : p.GetValue(slide) is null ? FormatRows.Known : [],
                Startup = !p.GetValue(noStartup) && p.GetValue(slide) is null,
            };
            return SweepRunner.Run(options, Console.Out);
        });
        return command;
    }

    private static Command WorkerCommand()
    {
        var backend = new Option<string>("--backend") { Required = true };
        var slide = new Option<string>("--slide") { Required = true };
        var level = new Option<int>("--level");
        var patch = new Option<int>("--patch") { DefaultValueFactory = _ => 256 };
        var openPerPatch = new Option<bool>("--open-per-patch");
        var command = new Command("worker", "(internal) a process-mode worker reading jobs from stdin") { Hidden = true };
        foreach (Option o in new Option[] { backend, slide, level, patch, openPerPatch })
        {
            command.Options.Add(o);
        }

        command.SetAction(p => ProcessRunner.Worker(p.GetValue(backend)!, p.GetValue(slide)!, p.GetValue(level), p.GetValue(patch), p.GetValue(openPerPatch)));
        return command;
    }

    private static Command LoaderCommand()
    {
        var defaults = new Loader.LoaderBenchOptions();
        var slides = new Option<int>("--slides") { Description = "generated slides (mixed formats)", DefaultValueFactory = _ => defaults.Slides };
        var perSlide = new Option<int>("--per-slide") { Description = "random patches per slide per epoch", DefaultValueFactory = _ => defaults.PatchesPerSlide };
        var mpp = new Option<double>("--mpp") { Description = "target microns per pixel", DefaultValueFactory = _ => defaults.Mpp };
        var epochs = new Option<int>("--epochs") { Description = "epochs for the memory row", DefaultValueFactory = _ => defaults.Epochs };
        var workers = new Option<string?>("--workers") { Description = "comma-separated worker counts" };
        var output = new Option<string?>("--out") { Description = "output folder (default bench/results/<date>-loader)" };
        var command = new Command("loader", "the training loader over many slides against single-slide reads and the OpenSlide loop");
        foreach (Option o in new Option[] { slides, perSlide, mpp, epochs, workers, output })
        {
            command.Options.Add(o);
        }

        command.SetAction(p => Loader.LoaderBench.Run(
            defaults with
            {
                Slides = p.GetValue(slides),
                PatchesPerSlide = p.GetValue(perSlide),
                Mpp = p.GetValue(mpp),
                Epochs = p.GetValue(epochs),
                Workers = p.GetValue(workers) is { } w ? [.. Split(w).Select(int.Parse)] : defaults.Workers,
                OutputFolder = p.GetValue(output) ?? defaults.OutputFolder,
            },
            Console.Out));
        return command;
    }

    private static Command RemoteCommand()
    {
        var defaults = new Remote.RemoteBenchOptions();
        var scale = new Option<double>("--scale") { Description = "scale of the study slide", DefaultValueFactory = _ => defaults.Scale };
        var latency = new Option<int>("--latency") { Description = "milliseconds added to every response", DefaultValueFactory = _ => defaults.LatencyMilliseconds };
        var patches = new Option<int>("--patches") { Description = "aligned 256 patches timed per configuration", DefaultValueFactory = _ => defaults.Patches };
        var inFlight = new Option<int>("--in-flight") { Description = "concurrent reads for the parallel rows", DefaultValueFactory = _ => defaults.InFlight };
        var gdal = new Option<int>("--gdal-patches") { Description = "patches read through GDAL's /vsicurl/ (0: none)", DefaultValueFactory = _ => defaults.GdalPatches };
        var output = new Option<string?>("--out") { Description = "output folder (default bench/results/<date>-remote)" };
        var command = new Command("remote", "the study slide over HTTP with injected latency: requests, round trips and patches/s against the local file and GDAL's /vsicurl/");
        foreach (Option o in new Option[] { scale, latency, patches, inFlight, gdal, output })
        {
            command.Options.Add(o);
        }

        command.SetAction(p => Remote.RemoteBench.Run(
            new Remote.RemoteBenchOptions
            {
                Scale = p.GetValue(scale),
                LatencyMilliseconds = p.GetValue(latency),
                Patches = p.GetValue(patches),
                InFlight = p.GetValue(inFlight),
                GdalPatches = p.GetValue(gdal),
                OutputFolder = p.GetValue(output) ?? defaults.OutputFolder,
            },
            Console.Out));
        return command;
    }

    private static Command MicroCommand(string[] all)
    {
        var command = new Command("micro", "BenchmarkDotNet micro-benchmarks (remaining arguments go to BenchmarkDotNet)");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ => Micro.MicroBenchmarks.Run([.. all.SkipWhile(a => a != "micro").Skip(1)]));
        return command;
    }

    private static ParallelMode ParseMode(string text) => text switch
    {
        "threads" => ParallelMode.Threads,
        "m1" => ParallelMode.ProcessOpenPerPatch,
        "m2" => ParallelMode.ProcessJobPerPatch,
        "m3" => ParallelMode.ProcessChunked,
        "batch" => ParallelMode.Batch,
        _ => throw new ArgumentException($"unknown mode '{text}' (threads, m1, m2, m3, batch)"),
    };

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
