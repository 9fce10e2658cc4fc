using System.CommandLine;
using Reader.Tiling;

namespace Reader.Cli.Commands;

/// <summary>
/// wsi tile MANIFEST|SLIDE... --out DIR: patches into WebDataset shards (or DeepZoom pyramids) with Parquet indexes,
/// this task's share of the slides (--shard, Slurm array or Kubernetes Indexed Job variables), resumable;
/// wsi tile --check DIR: what is missing, partial, stale or damaged.
/// </summary>
internal static class TileCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "slides, or manifests (.csv with a 'path' column and optional 'label', or .jsonl)", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out") { Description = "output folder (one folder per slide, a run file tile-run.json)" };
        var check = new Option<string>("--check") { Description = "check an output folder instead of tiling: exits 1 when a slide is missing, partial, stale or damaged" };
        var format = new Option<string>("--format") { Description = "webdataset (tar shards of patches + JSON sidecars) or dzi (a DeepZoom pyramid per slide)", DefaultValueFactory = _ => "webdataset" };
        var mpp = new Option<double?>("--mpp") { Description = "target microns per pixel (patches area-averaged from the closest finer level)" };
        var level = new Option<int>("--level") { Description = "pyramid level to read when --mpp is not given", DefaultValueFactory = _ => 0 };
        var fallbackMpp = new Option<double?>("--fallback-mpp") { Description = "level-0 mpp assumed for slides that record none (with --mpp)" };
        var size = new Option<int>("--size") { Description = "patch size in output pixels", DefaultValueFactory = _ => 256 };
        var stride = new Option<int?>("--stride") { Description = "grid step in output pixels (default: --size)" };
        var encoding = new Option<string>("--encoding") { Description = "jpeg or png", DefaultValueFactory = _ => "jpeg" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality", DefaultValueFactory = _ => 90 };
        var shardPatches = new Option<int>("--shard-patches") { Description = "at most this many patches per tar shard", DefaultValueFactory = _ => 10_000 };
        var shardBytes = new Option<long>("--shard-bytes") { Description = "a tar shard is closed once it reaches this many bytes", DefaultValueFactory = _ => 1L << 30 };
        var dziTileSize = new Option<int>("--dzi-tile-size") { Description = "DeepZoom tile size", DefaultValueFactory = _ => 254 };
        var dziOverlap = new Option<int>("--dzi-overlap") { Description = "DeepZoom tile overlap", DefaultValueFactory = _ => 1 };
        var shard = new Option<string>("--shard") { Description = "this task's share, I/N (0-based); default from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX" };
        var shards = new Option<int?>("--shards") { Description = "the number of shares N: needed with JOB_COMPLETION_INDEX and when resubmitting single Slurm array indices" };
        var tissue = new Option<bool>("--tissue") { Description = "keep patches on tissue only: a mask per slide (the loader's Otsu threshold on saturation); a manifest 'mask' PNG column overrides it" };
        var minTissue = new Option<double>("--min-tissue") { Description = "least tissue fraction of a kept patch (0-1)", DefaultValueFactory = _ => 0.5 };
        var maskDownsample = new Option<double>("--mask-downsample") { Description = "level-0 pixels per pixel of supplied mask PNGs", DefaultValueFactory = _ => 64 };
        var annotations = new Option<string>("--annotations") { Description = "folder of QuPath GeoJSON exports named STEM.geojson (a manifest 'annotations' column takes precedence)" };
        var labelRule = new Option<string>("--label-rule") { Description = "centre (the class at the patch centre) or coverage (the class covering at least --min-coverage)", DefaultValueFactory = _ => "centre" };
        var minCoverage = new Option<double>("--min-coverage") { Description = "with --label-rule coverage: the fraction one class must cover", DefaultValueFactory = _ => 0.5 };
        var background = new Option<string>("--background") { Description = "label of annotated slides' patches no class claims; 'none' drops them", DefaultValueFactory = _ => "background" };
        var threads = new Option<int>("--threads") { Description = "threads per slide", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("tile", "tile slides into WebDataset tar shards or DeepZoom pyramids with Parquet indexes; sharded (Slurm arrays, Kubernetes Indexed Jobs), resumable")
        {
            inputs, output, check, format, mpp, level, fallbackMpp, size, stride, encoding, quality, shardPatches, shardBytes, dziTileSize, dziOverlap,
            tissue, minTissue, maskDownsample, annotations, labelRule, minCoverage, background, shard, shards, threads,
        };
        command.SetAction(p =>
        {
            if (p.GetValue(check) is { } folder)
            {
                return Check(folder);
            }

            string[] given = p.GetValue(inputs) ?? [];
            string outFolder = p.GetValue(output) ?? throw new UsageException("--out DIR is required (or --check DIR)");
            if (given.Length == 0)
            {
                throw new UsageException("no slides or manifests given");
            }

            var options = new TileOptions
            {
                Format = p.GetValue(format) switch
                {
                    "webdataset" => TileFormat.WebDataset,
                    "dzi" => TileFormat.Dzi,
                    var f => throw new UsageException($"--format must be webdataset or dzi, not '{f}'"),
                },
                Encoding = p.GetValue(encoding) switch
                {
                    "jpeg" or "jpg" => PatchEncoding.Jpeg,
                    "png" => PatchEncoding.Png,
                    var e => throw new UsageException($"--encoding must be jpeg or png, not '{e}'"),
                },
                Mpp = p.GetValue(mpp),
                Level = p.GetValue(level),
                FallbackMpp = p.GetValue(fallbackMpp),
                Size = p.GetValue(size),
                Stride = p.GetValue(stride),
                Quality = p.GetValue(quality),
                PatchesPerShard = p.GetValue(shardPatches),
                ShardBytes = p.GetValue(shardBytes),
                DziTileSize = p.GetValue(dziTileSize),
                DziOverlap = p.GetValue(dziOverlap),
                Threads = p.GetValue(threads),
                Tissue = p.GetValue(tissue) ? Reader.Loader.TissueOptions.Default : null,
                MinTissue = p.GetValue(minTissue),
                MaskDownsample = p.GetValue(maskDownsample),
                AnnotationsFolder = p.GetValue(annotations),
                Labelling = new Reader.Loader.AnnotationLabelling
                {
                    Rule = p.GetValue(labelRule) switch
                    {
                        "centre" or "center" => Reader.Loader.LabelRule.Centre,
                        "coverage" => Reader.Loader.LabelRule.Coverage,
                        var r => throw new UsageException($"--label-rule must be centre or coverage, not '{r}'"),
                    },
                    MinCoverage = p.GetValue(minCoverage),
                    Background = p.GetValue(background) is "none" ? null : p.GetValue(background),
                },
            };
            ShardSpec spec;
            IReadOnlyList<TileInput> slides;
            try
            {
                options.Validate();
                spec = ShardSpec.Resolve(p.GetValue(shard), p.GetValue(shards), Environment.GetEnvironmentVariable);
                slides = TileInput.FromArguments(given);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new UsageException(e.Message);
            }

            TileSummary summary;
            try
            {
                summary = TileRun.Run(slides, Path.GetFullPath(outFolder), options, spec, Console.Error);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message); // the same slide listed twice; per-slide problems never get here
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine("wsi: " + Program.OneLine(e.Message)); // JPEG without the native shim
                return ExitCodes.Unreadable;
            }

            Console.WriteLine(summary.ToJson());
            return summary.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.SlidesFailed;
        });
        return command;
    }

    private static int Check(string folder)
    {
        IReadOnlyList<SlideOutputStatus> statuses = TileCheck.Run(folder);
        foreach (SlideOutputStatus s in statuses.Where(s => s.State != SlideOutputState.Done))
        {
            Console.WriteLine($"{s.State.ToString().ToLowerInvariant()}: {s.Key} ({s.Slide})" + (s.Detail is null ? string.Empty : ": " + s.Detail));
        }

        var counts = statuses.GroupBy(s => s.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        Console.WriteLine($"{statuses.Count} slides: {string.Join(", ", counts)}");
        return statuses.All(s => s.State == SlideOutputState.Done) ? ExitCodes.Success : ExitCodes.Differences;
    }
}
