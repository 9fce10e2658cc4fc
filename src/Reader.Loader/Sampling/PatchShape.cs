using Reader.Core;
using Reader.Core.Loader;

namespace Reader.Loader;

/// <summary>
/// What a patch is: its size in output pixels and the resolution it is read at, either a target mpp or
/// magnification (<see cref="Resolution"/>, read from the closest finer level and area-averaged) or a level as stored.
/// </summary>
public sealed record PatchShape
{
    /// <summary>Output width in pixels.</summary>
    public int Width { get; init; } = 224;

    /// <summary>Output height in pixels.</summary>
    public int Height { get; init; } = 224;

    /// <summary>Read at this resolution; null reads <see cref="Level"/> as stored.</summary>
    public PatchResolution? Resolution { get; init; }

    /// <summary>The level read when <see cref="Resolution"/> is null (default 0).</summary>
    public int Level { get; init; }

    /// <summary>How this shape reads from <paramref name="slide"/>: level, pixels read there, level-0 extent.</summary>
    public PatchGeometry Resolve(Slide slide)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Height);
        if (Resolution is not null)
        {
            ResolvedPatch plan = ResolutionReads.Resolve(slide, Resolution, Width, Height);
            double downsample = slide.Levels[plan.Level].Downsample;
            return new PatchGeometry(plan.Level, plan.SourceWidth, plan.SourceHeight, Width, Height, plan.SourceWidth * downsample, plan.SourceHeight * downsample, plan.TargetMpp);
        }

        if ((uint)Level >= (uint)slide.Levels.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), Level, $"PatchShape.Level {Level}: {slide.Path} has {slide.Levels.Count} levels");
        }

        double d = slide.Levels[Level].Downsample;
        double? mpp = slide.Mpp is { } m && m.X > 0 ? (m.X + m.Y) / 2 * d : null;
        return new PatchGeometry(Level, Width, Height, Width, Height, Width * d, Height * d, mpp);
    }
}

/// <summary>A patch shape resolved on one slide.</summary>
/// <param name="Level">The level read.</param>
/// <param name="SourceWidth">Pixels read from the level.</param>
/// <param name="SourceHeight">Rows read from the level.</param>
/// <param name="Width">Output width (after area averaging when it differs from the source).</param>
/// <param name="Height">Output height.</param>
/// <param name="ExtentX">The patch's width in level-0 pixels.</param>
/// <param name="ExtentY">The patch's height in level-0 pixels.</param>
/// <param name="Mpp">Microns per output pixel, where known.</param>
public readonly record struct PatchGeometry(int Level, int SourceWidth, int SourceHeight, int Width, int Height, double ExtentX, double ExtentY, double? Mpp)
{
    /// <summary>Whether reads are resized (the source size differs from the output size).</summary>
    public bool Resized => SourceWidth != Width || SourceHeight != Height;
}
