using Reader.Core;
using Reader.Core.Loader;

namespace Reader.Loader;

/// <summary>
/// Where a slide has tissue: a binary mask over the whole slide at <see cref="Downsample"/> level-0 pixels per mask
/// pixel, from the saturation of a low-resolution level (Otsu's threshold, then a square closing and opening, as the
/// common Python tools do), or supplied as a PNG.
/// </summary>
public sealed class TissueMask
{
    private readonly byte[] mask; // 1 = tissue

    private TissueMask(byte[] mask, int width, int height, double downsample, int threshold)
    {
        this.mask = mask;
        Width = width;
        Height = height;
        Downsample = downsample;
        Threshold = threshold;
    }

    /// <summary>Mask pixels across.</summary>
    public int Width { get; }

    /// <summary>Mask rows.</summary>
    public int Height { get; }

    /// <summary>Level-0 pixels per mask pixel (both axes).</summary>
    public double Downsample { get; }

    /// <summary>The saturation threshold used (Otsu's or the given one); -1 for a supplied mask.</summary>
    public int Threshold { get; }

    /// <summary>Whether mask pixel (<paramref name="x"/>, <paramref name="y"/>) is tissue.</summary>
    public bool this[int x, int y] => mask[((long)y * Width) + x] != 0;

    /// <summary>The fraction of mask pixels that are tissue.</summary>
    public double TissueFraction => mask.Length == 0 ? 0 : mask.Count(b => b != 0) / (double)mask.Length;

    /// <summary>Computes the mask of <paramref name="slide"/>.</summary>
    public static TissueMask Compute(Slide slide, TissueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(slide);
        options ??= TissueOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaskSize, 16, nameof(options));

        // The coarsest level still at least MaskSize on its longer side; level 0 if even that is smaller.
        SlideLevel source = slide.Levels[0];
        foreach (SlideLevel level in slide.Levels)
        {
            if (Math.Max(level.Width, level.Height) >= options.MaskSize && level.Downsample > source.Downsample)
            {
                source = level;
            }
        }

        int factor = (int)Math.Max(1, (Math.Max(source.Width, source.Height) + options.MaskSize - 1) / options.MaskSize);
        int width = (int)Math.Max(1, (source.Width + factor - 1) / factor);
        int height = (int)Math.Max(1, (source.Height + factor - 1) / factor);
        byte[] saturation = SaturationImage(slide, source, factor, width, height, StripBytes);
        int threshold = options.SaturationThreshold ?? Math.Max(options.MinimumThreshold, OtsuThreshold(saturation));
        var bits = new byte[saturation.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = saturation[i] > threshold ? (byte)1 : (byte)0;
        }

        if (options.CloseRadius > 0)
        {
            Morphology.Close(bits, width, height, options.CloseRadius);
        }

        if (options.OpenRadius > 0)
        {
            Morphology.Open(bits, width, height, options.OpenRadius);
        }

        return new TissueMask(bits, width, height, source.Downsample * factor, threshold);
    }

    /// <summary>
    /// A supplied mask: a PNG (grey, grey+alpha, RGB or RGBA; a pixel is tissue when its first channel is non-zero)
    /// at <paramref name="downsample"/> level-0 pixels per mask pixel.
    /// </summary>
    public static TissueMask FromPng(string path, double downsample)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(downsample, 0);
        StbImageSharp.ImageResult image;
        try
        {
            using FileStream stream = File.OpenRead(path);
            image = StbImageSharp.ImageResult.FromStream(stream, StbImageSharp.ColorComponents.Grey);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new UnsupportedFormatException(path, null, $"not a readable PNG mask: {e.Message}", e);
        }

        var bits = new byte[image.Data.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = image.Data[i] != 0 ? (byte)1 : (byte)0;
        }

        return new TissueMask(bits, image.Width, image.Height, downsample, -1);
    }

    /// <summary>A mask from bits (row-major, width x height, non-zero = tissue) at <paramref name="downsample"/>.</summary>
    public static TissueMask FromBits(ReadOnlySpan<byte> bits, int width, int height, double downsample)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(downsample, 0);
        if (bits.Length != (long)width * height)
        {
            throw new ArgumentException($"{bits.Length} bytes for a {width} x {height} mask", nameof(bits));
        }

        var copy = new byte[bits.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = bits[i] != 0 ? (byte)1 : (byte)0;
        }

        return new TissueMask(copy, width, height, downsample, -1);
    }

    /// <summary>
    /// The tissue fraction of the level-0 rectangle at (<paramref name="x"/>, <paramref name="y"/>): each mask pixel
    /// counts by the area it shares with the rectangle; outside the mask counts as background.
    /// </summary>
    public double Fraction(long x, long y, long width, long height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        double x0 = x / Downsample, y0 = y / Downsample, x1 = (x + width) / Downsample, y1 = (y + height) / Downsample;
        int cx0 = Math.Max(0, (int)Math.Floor(x0)), cy0 = Math.Max(0, (int)Math.Floor(y0));
        int cx1 = Math.Min(Width, (int)Math.Ceiling(x1)), cy1 = Math.Min(Height, (int)Math.Ceiling(y1));
        double covered = 0;
        for (int my = cy0; my < cy1; my++)
        {
            double h = Math.Min(y1, my + 1) - Math.Max(y0, my);
            if (h <= 0)
            {
                continue;
            }

            int row = my * Width;
            for (int mx = cx0; mx < cx1; mx++)
            {
                if (mask[row + mx] != 0)
                {
                    double w = Math.Min(x1, mx + 1) - Math.Max(x0, mx);
                    if (w > 0)
                    {
                        covered += w * h;
                    }
                }
            }
        }

        return Math.Clamp(covered / ((x1 - x0) * (y1 - y0)), 0, 1);
    }

    /// <summary>The mask as a PNG (tissue 255, background 0), e.g. to inspect or supply it later.</summary>
    public void SavePng(string path)
    {
        var grey = new byte[mask.Length];
        for (int i = 0; i < grey.Length; i++)
        {
            grey[i] = mask[i] != 0 ? (byte)255 : (byte)0;
        }

        using FileStream stream = File.Create(path);
        new StbImageWriteSharp.ImageWriter().WritePng(grey, Width, Height, StbImageWriteSharp.ColorComponents.Grey, stream);
    }

    // About 16 MiB of pixels per strip read.
    internal const int StripBytes = 1 << 24;

    // Reads the level in strips of `factor` rows and area-averages factor x factor blocks into a saturation image
    // (HSV S = (max - min) / max, 0-255), so a large source level never sits in memory whole.
    internal static byte[] SaturationImage(Slide slide, SlideLevel level, int factor, int width, int height, int stripBytes)
    {
        var saturation = new byte[(long)width * height];
        int stripBlocks = Math.Max(1, stripBytes / Math.Max(1, (int)Math.Min(int.MaxValue, level.Width * 3L * factor)));
        int stripRows = factor * stripBlocks;
        var rgb = new byte[checked((int)(level.Width * 3) * Math.Min(stripRows, (int)Math.Min(level.Height, stripRows)))];
        var sums = new long[width];
        for (int by = 0; by < height; by += stripBlocks)
        {
            int rowsWanted = (int)Math.Min(stripRows, level.Height - ((long)by * factor));
            slide.ReadRegion(
                0, (long)Math.Round((long)by * factor * level.Downsample), level.Index, (int)level.Width, rowsWanted, rgb.AsSpan(0, (int)level.Width * 3 * rowsWanted), PixelFormat.Rgb24);
            for (int b = 0; b < stripBlocks && by + b < height; b++)
            {
                Array.Clear(sums);
                int r0 = b * factor, r1 = Math.Min(rowsWanted, r0 + factor);
                for (int r = r0; r < r1; r++)
                {
                    ReadOnlySpan<byte> row = rgb.AsSpan(r * (int)level.Width * 3, (int)level.Width * 3);
                    for (int px = 0; px < level.Width; px++)
                    {
                        byte red = row[px * 3], green = row[(px * 3) + 1], blue = row[(px * 3) + 2];
                        int max = Math.Max(red, Math.Max(green, blue)), min = Math.Min(red, Math.Min(green, blue));
                        sums[px / factor] += max == 0 ? 0 : (255 * (max - min)) / max;
                    }
                }

                int rows = r1 - r0;
                for (int mx = 0; mx < width; mx++)
                {
                    int cols = (int)Math.Min(factor, level.Width - ((long)mx * factor));
                    saturation[((long)(by + b) * width) + mx] = (byte)(sums[mx] / Math.Max(1, rows * cols));
                }
            }
        }

        return saturation;
    }

    /// <summary>Otsu's threshold of an 8-bit image: the level maximising the between-class variance.</summary>
    internal static int OtsuThreshold(ReadOnlySpan<byte> values)
    {
        Span<long> histogram = stackalloc long[256];
        foreach (byte v in values)
        {
            histogram[v]++;
        }

        long total = values.Length;
        double sumAll = 0;
        for (int i = 0; i < 256; i++)
        {
            sumAll += i * (double)histogram[i];
        }

        double sumBackground = 0, best = -1;
        long weightBackground = 0;
        int threshold = 0;
        for (int t = 0; t < 256; t++)
        {
            weightBackground += histogram[t];
            if (weightBackground == 0)
            {
                continue;
            }

            long weightForeground = total - weightBackground;
            if (weightForeground == 0)
            {
                break;
            }

            sumBackground += t * (double)histogram[t];
            double meanBackground = sumBackground / weightBackground;
            double meanForeground = (sumAll - sumBackground) / weightForeground;
            double between = (double)weightBackground * weightForeground * (meanBackground - meanForeground) * (meanBackground - meanForeground);
            if (between > best)
            {
                best = between;
                threshold = t;
            }
        }

        return threshold;
    }
}
