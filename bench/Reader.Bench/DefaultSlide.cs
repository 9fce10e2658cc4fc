using System.Globalization;
using Reader.SlideWriter;

namespace Reader.Bench;

/// <summary>
/// The benchmark's default slide: the cuCIM study's geometry (92344 x 81017, 256 x 256 JPEG tiles,
/// Q95, pyramid) scaled by --scale, generated once and cached (it is deterministic).
/// </summary>
internal static class DefaultSlide
{
    public const long StudyWidth = 92344;
    public const long StudyHeight = 81017;

    public static SyntheticSlideSpec Spec(double scale) => new()
    {
        Width = Math.Max(256, (long)Math.Round(StudyWidth * scale)),
        Height = Math.Max(256, (long)Math.Round(StudyHeight * scale)),
        TileWidth = 256,
        TileHeight = 256,
        Quality = 95,
        Levels = 6,
        Subsampling = ChromaSubsampling.S420,
        Seed = 2021,
    };

    /// <summary>Where generated bench slides are kept ($XDG_CACHE_HOME/wsi-reader or ~/.cache/wsi-reader).</summary>
    public static string CacheFolder(string? cacheFolder) => cacheFolder ?? Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "wsi-reader");

    /// <summary>The cached slide for <paramref name="scale"/>, generated on first use.</summary>
    public static string Ensure(double scale, string? cacheFolder, TextWriter log)
    {
        SyntheticSlideSpec spec = Spec(scale);
        string folder = CacheFolder(cacheFolder);
        Directory.CreateDirectory(folder);
        string name = string.Create(CultureInfo.InvariantCulture, $"study-{spec.Width}x{spec.Height}-q{spec.Quality}-v1.tif");
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            log.WriteLine($"generating the default slide {spec.Width}x{spec.Height} (scale {scale}) at {path} ...");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            SyntheticSlideWriter.Write(path, spec);
            log.WriteLine($"  done in {watch.Elapsed.TotalSeconds:F1} s, {new FileInfo(path).Length / (1024.0 * 1024):F0} MiB");
        }

        return path;
    }
}
