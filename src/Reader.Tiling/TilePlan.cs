using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Loader;

namespace Reader.Tiling;

/// <summary>
/// The patches of one slide: a plain grid of <see cref="TileOptions.Size"/>-pixel patches every
/// <see cref="TileOptions.Stride"/> output pixels, wholly inside the slide, at a level or at a target mpp (read from the
/// level <see cref="ResolutionReads"/> picks and area-averaged to size). Row-major, top to bottom: the order patches
/// are written in. The one place the per-slide enumeration lives.
/// </summary>
internal sealed class TilePlan
{
    private TilePlan(int level, double? mpp, int size, int sourceSize, IReadOnlyList<PatchLocation> origins)
    {
        Level = level;
        Mpp = mpp;
        Size = size;
        SourceSize = sourceSize;
        Origins = origins;
    }

    /// <summary>The level patches are read from.</summary>
    public int Level { get; }

    /// <summary>Microns per output pixel (null for a slide without mpp read at a level).</summary>
    public double? Mpp { get; }

    public int Size { get; }

    /// <summary>Pixels read at <see cref="Level"/> per patch side (larger than <see cref="Size"/> when resampled).</summary>
    public int SourceSize { get; }

    /// <summary>Level-0 top-left corners.</summary>
    public IReadOnlyList<PatchLocation> Origins { get; }

    public static TilePlan Of(Slide slide, TileOptions options)
    {
        int size = options.Size, stride = options.StrideOrSize;
        if (options.Mpp is { } target)
        {
            ResolvedPatch resolved = ResolutionReads.Resolve(slide, new PatchResolution { Mpp = target, FallbackMpp = options.FallbackMpp }, size, size);
            double mpp0 = resolved.LevelMpp / slide.Levels[resolved.Level].Downsample;
            double step = stride * target / mpp0, extent = size * target / mpp0; // level-0 pixels
            SlideLevel level0 = slide.Levels[0];
            long columns = Count(level0.Width, extent, step), rows = Count(level0.Height, extent, step);
            var origins = new List<PatchLocation>(checked((int)(columns * rows)));
            for (long r = 0; r < rows; r++)
            {
                for (long c = 0; c < columns; c++)
                {
                    origins.Add(new PatchLocation((long)Math.Round(c * step), (long)Math.Round(r * step)));
                }
            }

            return new TilePlan(resolved.Level, target, size, resolved.SourceWidth, origins);
        }

        if (options.Level >= slide.Levels.Count)
        {
            throw new ArgumentException($"level {options.Level} is out of range: {Path.GetFileName(slide.Path)} has {slide.Levels.Count} levels");
        }

        SlideLevel at = slide.Levels[options.Level];
        long cols = Count(at.Width, size, stride), rowCount = Count(at.Height, size, stride);
        var grid = new List<PatchLocation>(checked((int)(cols * rowCount)));
        for (long r = 0; r < rowCount; r++)
        {
            for (long c = 0; c < cols; c++)
            {
                grid.Add(new PatchLocation(LevelZero(c * stride, at.Downsample), LevelZero(r * stride, at.Downsample)));
            }
        }

        double? mpp = slide.Mpp is { X: > 0 } m ? (m.X + m.Y) / 2 * at.Downsample : null;
        return new TilePlan(at.Index, mpp, size, size, grid);
    }

    /// <summary>Reads the patch at <paramref name="at"/> into <paramref name="rgb"/> (Size x Size x 3), using <paramref name="scratch"/> when resampling.</summary>
    public void Read(Slide slide, PatchLocation at, Span<byte> rgb, ref byte[]? scratch)
    {
        if (SourceSize == Size)
        {
            slide.ReadRegion(at.X, at.Y, Level, Size, Size, rgb, PixelFormat.Rgb24);
            return;
        }

        scratch ??= new byte[SourceSize * SourceSize * 3];
        slide.ReadRegion(at.X, at.Y, Level, SourceSize, SourceSize, scratch, PixelFormat.Rgb24);
        AreaResampler.Resample(scratch, SourceSize, SourceSize, 3, rgb, Size, Size);
    }

    /// <summary>How many patches of <paramref name="extent"/> fit along <paramref name="length"/> every <paramref name="step"/>.</summary>
    private static long Count(long length, double extent, double step) =>
        length + 1e-9 < extent ? 0 : (long)Math.Floor(((length - extent) / step) + 1e-9) + 1;

    /// <summary>The level-0 coordinate the reader maps back to level pixel <paramref name="levelPixel"/> (it floors x / downsample).</summary>
    private static long LevelZero(long levelPixel, double downsample)
    {
        if (downsample == 1)
        {
            return levelPixel;
        }

        long x = (long)Math.Ceiling(levelPixel * downsample);
        while ((long)Math.Floor(x / downsample) > levelPixel)
        {
            x--;
        }

        while ((long)Math.Floor(x / downsample) < levelPixel)
        {
            x++;
        }

        return x;
    }
}
