using BenchmarkDotNet.Attributes;
using Reader.Core;
using Reader.SlideWriter;

namespace Reader.Bench.Micro;

/// <summary>One 256x256 tile read whole (decode-dominated) per codec and backend, and OpenSlide reading the same tile.</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private readonly byte[] destination = new byte[256 * 256 * 4];
    private Slide? slide;
    private Backends.IPatchSource? openSlide;
    private Backends.PatchScratch? scratch;

    [Params("jpeg-420", "jpeg-444-rgb", "deflate", "deflate-predictor", "lzw", "zstd")]
    public string Codec { get; set; } = "jpeg-420";

    [Params(DecoderBackend.Native, DecoderBackend.Managed)]
    public DecoderBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = MicroSlides.Get(Codec);
        slide = Slide.Open(path, new SlideOptions { Backend = Backend, CacheCapacity = 0 });
        var os = Backends.BackendRegistry.Get("openslide");
        if (os.UnavailableReason is null && Backend == DecoderBackend.Native)
        {
            openSlide = os.Open(path);
            scratch = new Backends.PatchScratch(256, 256);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        slide?.Dispose();
        openSlide?.Dispose();
    }

    [Benchmark(Description = "ours: one whole tile")]
    public void Ours() => slide!.ReadRegion(512, 512, 0, 256, 256, destination, PixelFormat.Rgb24);

    [Benchmark(Description = "OpenSlide: the same tile")]
    public void OpenSlide()
    {
        if (openSlide is null)
        {
            return; // OpenSlide has no managed backend; measured once, with the native row
        }

        openSlide.Read(512, 512, 0, 256, 256, scratch!);
    }
}

/// <summary>ReadRegion aligned, unaligned, and served from the cache.</summary>
[MemoryDiagnoser]
public class RegionBenchmarks
{
    private readonly byte[] destination = new byte[256 * 256 * 4];
    private Slide? uncached;
    private Slide? cached;

    [GlobalSetup]
    public void Setup()
    {
        string path = MicroSlides.Get("jpeg-420");
        uncached = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        cached = Slide.Open(path);
        cached.ReadRegion(257, 257, 0, 256, 256, destination, PixelFormat.Rgb24); // fills the four tiles
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        uncached?.Dispose();
        cached?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "aligned 256x256 (decode into the caller's buffer)")]
    public void Aligned() => uncached!.ReadRegion(512, 512, 0, 256, 256, destination, PixelFormat.Rgb24);

    [Benchmark(Description = "unaligned 256x256, no cache (four decodes)")]
    public void UnalignedNoCache() => uncached!.ReadRegion(513, 513, 0, 256, 256, destination, PixelFormat.Rgb24);

    [Benchmark(Description = "unaligned 256x256, all four tiles cached (hit path)")]
    public void UnalignedCacheHit() => cached!.ReadRegion(257, 257, 0, 256, 256, destination, PixelFormat.Rgb24);

    [Benchmark(Description = "aligned 256x256 RGBA")]
    public void AlignedRgba() => uncached!.ReadRegion(512, 512, 0, 256, 256, destination, PixelFormat.Rgba32);
}

/// <summary>Opening a slide: a small file, and a tile index the size of the study's (114,437 tiles).</summary>
[MemoryDiagnoser]
public class OpenBenchmarks
{
    private string small = string.Empty;
    private string seed = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        small = MicroSlides.Get("jpeg-420");
        seed = MicroSlides.SeedIndex();
    }

    [Benchmark(Description = "open + dispose, 1,000-tile slide")]
    public void OpenSmall()
    {
        using var slide = Slide.Open(small);
    }

    [Benchmark(Description = "open + dispose, study-size tile index (114,437 level-0 tiles)")]
    public void OpenSeed()
    {
        using var slide = Slide.Open(seed);
    }
}

/// <summary>The slides the micro-benchmarks read, generated once into the cache folder.</summary>
internal static class MicroSlides
{
    public static string Get(string codec)
    {
        SyntheticSlideSpec spec = new() { Width = 2048, Height = 2048, Levels = 1, Quality = 95, Seed = 5 };
        spec = codec switch
        {
            "jpeg-444-rgb" => spec with { Color = SlideColor.RgbCodedJpeg },
            "deflate" => spec with { Compression = SlideCompression.Deflate },
            "deflate-predictor" => spec with { Compression = SlideCompression.Deflate, Predictor = true },
            "lzw" => spec with { Compression = SlideCompression.Lzw },
            "zstd" => spec with { Compression = SlideCompression.Zstd },
            _ => spec,
        };
        return Cached($"micro-{codec}-v1.tif", path => SyntheticSlideWriter.Write(path, spec));
    }

    /// <summary>A slide with the study's level-0 grid whose tile offsets all share one tile (small file, full index).</summary>
    public static string SeedIndex() => Cached("micro-seed-index-v1.tif", path => IndexOnlySlideWriter.Write(path, DefaultSlide.StudyWidth, DefaultSlide.StudyHeight, 256));

    private static string Cached(string name, Action<string> write)
    {
        string folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "wsi-reader");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            write(path);
        }

        return path;
    }
}
