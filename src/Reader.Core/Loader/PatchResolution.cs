using System.Globalization;

namespace Reader.Core.Loader;

/// <summary>
/// The resolution patches are wanted at: microns per pixel, or an objective magnification (converted with the slide's
/// own mpp and objective power). <see cref="FallbackMpp"/> stands in for slides that record no mpp; without it such a
/// slide is refused.
/// </summary>
public sealed record PatchResolution
{
    /// <summary>Target microns per pixel (e.g. 0.5).</summary>
    public double? Mpp { get; init; }

    /// <summary>Target objective magnification (e.g. 20), when <see cref="Mpp"/> is not given.</summary>
    public double? Magnification { get; init; }

    /// <summary>The level-0 mpp to assume for a slide that records none.</summary>
    public double? FallbackMpp { get; init; }

    /// <summary>At <paramref name="mpp"/> microns per pixel.</summary>
    public static PatchResolution AtMpp(double mpp) => new() { Mpp = mpp };

    /// <summary>At objective magnification <paramref name="magnification"/>.</summary>
    public static PatchResolution AtMagnification(double magnification) => new() { Magnification = magnification };
}

/// <summary>How a patch at a target resolution is read: the level, the region read there, and the area-averaged size.</summary>
/// <param name="Level">The level with the coarsest resolution that is still at least as fine as the target.</param>
/// <param name="LevelMpp">That level's microns per pixel.</param>
/// <param name="TargetMpp">The resolution asked for.</param>
/// <param name="SourceWidth">Pixels read from the level (the patch's extent there, rounded to the nearest pixel).</param>
/// <param name="SourceHeight">Rows read from the level.</param>
public readonly record struct ResolvedPatch(int Level, double LevelMpp, double TargetMpp, int SourceWidth, int SourceHeight);

/// <summary>
/// Patches at a resolution rather than a level: the level with the closest resolution that is at least as fine is
/// read, over the region the patch covers, and downscaled to the patch size by <see cref="AreaResampler"/> (the same
/// integer filter as the GPU kernel).
/// </summary>
public static class ResolutionReads
{
    /// <summary>Plans a <paramref name="width"/> x <paramref name="height"/> patch at <paramref name="resolution"/>.</summary>
    public static ResolvedPatch Resolve(Slide slide, PatchResolution resolution, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        double mpp0 = slide.Mpp is { } m && m.X > 0 ? (m.X + m.Y) / 2
            : resolution.FallbackMpp ?? throw new UnsupportedFormatException(slide.Path, null, "the slide records no microns per pixel (openslide.mpp-x/-y); give PatchResolution.FallbackMpp to read it at a resolution");
        double target = resolution.Mpp
            ?? (resolution.Magnification is { } mag && mag > 0
                ? mpp0 * (slide.ObjectivePower ?? throw new UnsupportedFormatException(slide.Path, null, "the slide records no objective power; ask for an mpp instead of a magnification")) / mag
                : throw new ArgumentException("a resolution needs Mpp or Magnification", nameof(resolution)));
        if (target <= 0 || double.IsNaN(target) || double.IsInfinity(target))
        {
            throw new ArgumentOutOfRangeException(nameof(resolution), target, "target mpp must be positive");
        }

        if (target < mpp0 * (1 - 1e-6))
        {
            throw new ArgumentOutOfRangeException(nameof(resolution), string.Create(CultureInfo.InvariantCulture, $"{target} µm per pixel is finer than the slide's level 0 ({mpp0} µm); patches are only ever downscaled"));
        }

        SlideLevel chosen = slide.Levels[0];
        foreach (SlideLevel level in slide.Levels)
        {
            if (mpp0 * level.Downsample <= target * (1 + 1e-6) && level.Downsample > chosen.Downsample)
            {
                chosen = level;
            }
        }

        double levelMpp = mpp0 * chosen.Downsample;
        double ratio = target / levelMpp;
        int sourceWidth = Math.Max(width, (int)Math.Round(width * ratio));
        int sourceHeight = Math.Max(height, (int)Math.Round(height * ratio));
        return new ResolvedPatch(chosen.Index, levelMpp, target, sourceWidth, sourceHeight);
    }

    /// <summary>
    /// Reads a <paramref name="width"/> x <paramref name="height"/> patch at <paramref name="resolution"/> whose top-left
    /// corner is level-0 pixel (<paramref name="x"/>, <paramref name="y"/>).
    /// </summary>
    public static byte[] Read(Slide slide, long x, long y, int width, int height, PatchResolution resolution, PixelFormat format = PixelFormat.Rgb24)
    {
        ResolvedPatch plan = Resolve(slide, resolution, width, height);
        byte[] region = slide.ReadRegion(x, y, plan.Level, plan.SourceWidth, plan.SourceHeight, format);
        if (plan.SourceWidth == width && plan.SourceHeight == height)
        {
            return region;
        }

        int channels = format.BytesPerPixel();
        var patch = new byte[width * height * channels];
        AreaResampler.Resample(region, plan.SourceWidth, plan.SourceHeight, channels, patch, width, height);
        return patch;
    }
}
