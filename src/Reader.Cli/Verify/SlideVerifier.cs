using System.Globalization;
using Reader.Core;
using Reader.Reference.OpenSlide;

namespace Reader.Cli.Verify;

/// <summary>What one level's comparison found.</summary>
internal sealed record LevelVerdict(int Level, int Regions, long PixelsCompared, long PixelsDiffering, int LargestDifference, string? NotCompared);

/// <summary>
/// Reads seeded random regions of every level with our reader and with OpenSlide and compares the
/// in-bounds pixels in premultiplied ARGB (OpenSlide's own space: exact, where un-premultiplying
/// would round). Regions start at whole level pixels: anywhere on levels whose downsample is a whole
/// number, at the level origin elsewhere (OpenSlide blends by the fraction of x / downsample).
/// Levels where OpenSlide 3.4 is known to be wrong are reported as not compared, with the reason.
/// </summary>
/// <param name="ours">Our slide.</param>
/// <param name="reference">OpenSlide's view of the same file.</param>
/// <param name="readRgba">How our regions are read (x, y, level, width, height to RGBA): the CPU or the device path.</param>
internal sealed class SlideVerifier(Slide ours, OpenSlideImage reference, Func<long, long, int, int, int, byte[]> readRgba)
{
    private const string CannotRead = "OpenSlide cannot read this level: ";
    private readonly int referenceMajor = ParseMajor(OpenSlideImage.LibraryVersion);

    public List<LevelVerdict> Run(int regionsPerLevel, int seed)
    {
        var verdicts = new List<LevelVerdict>();
        bool referenceFailed = false;
        foreach (SlideLevel level in ours.Levels)
        {
            if (referenceFailed)
            {
                // OpenSlide's errors are sticky: after one failed read every later call fails too.
                verdicts.Add(new LevelVerdict(level.Index, 0, 0, 0, 0, "OpenSlide stopped at its error on an earlier level"));
                continue;
            }

            LevelVerdict verdict = VerifyLevel(level, regionsPerLevel, seed);
            referenceFailed = verdict.NotCompared?.StartsWith(CannotRead, StringComparison.Ordinal) == true;
            verdicts.Add(verdict);
        }

        return verdicts;
    }

    /// <summary>Why OpenSlide's pixels on this level are not a reference, or null.</summary>
    public string? KnownDefect(SlideLevel level)
    {
        if (referenceMajor >= 4)
        {
            return null;
        }

        if (level.Width < level.TileWidth || level.Height < level.TileHeight)
        {
            return "OpenSlide 3.4 returns wrong pixels on levels narrower or shorter than one tile (libtiff's TIFFRGBAImage adapts the raster to the image)";
        }

        if (ours.Orientation != 1)
        {
            return $"OpenSlide 3.4 applies Orientation {ours.Orientation} through libtiff; this reader returns pixels as stored";
        }

        return null;
    }

    private LevelVerdict VerifyLevel(SlideLevel level, int regionsPerLevel, int seed)
    {
        int match = -1;
        for (int j = 0; j < reference.LevelCount; j++)
        {
            if (reference.LevelDimensions(j) == (level.Width, level.Height))
            {
                match = j;
                break;
            }
        }

        if (match < 0)
        {
            return new LevelVerdict(level.Index, 0, 0, 0, 0, "OpenSlide has no level of this size");
        }

        if (KnownDefect(level) is { } defect)
        {
            return new LevelVerdict(level.Index, 0, 0, 0, 0, defect);
        }

        double downsample = level.Downsample;
        bool whole = downsample == Math.Round(downsample) && reference.LevelDownsample(match) == downsample;
        var rng = new Random(seed + (level.Index * 7919));
        long compared = 0, differing = 0;
        int largest = 0;
        for (int r = 0; r < regionsPerLevel; r++)
        {
            int w = rng.Next(1, (int)Math.Min(512, level.Width) + 1);
            int h = rng.Next(1, (int)Math.Min(512, level.Height) + 1);
            long lx = 0, ly = 0;
            if (whole)
            {
                lx = r % 4 == 0 ? rng.Next(0, (int)(level.Width / level.TileWidth) + 1) * (long)level.TileWidth : rng.NextInt64(-w / 2, level.Width - (w / 2) + 1);
                ly = r % 4 == 0 ? rng.Next(0, (int)(level.Height / level.TileHeight) + 1) * (long)level.TileHeight : rng.NextInt64(-h / 2, level.Height - (h / 2) + 1);
            }

            long x = (long)(lx * downsample), y = (long)(ly * downsample);
            var expected = new uint[w * h];
            try
            {
                reference.ReadRegion(x, y, match, w, h, expected);
            }
            catch (OpenSlideException e)
            {
                return new LevelVerdict(level.Index, r, compared, differing, largest, CannotRead + e.Message);
            }

            var actual = new uint[w * h];
            ArgbConversion.FromRgba(readRgba(x, y, level.Index, w, h), actual);
            for (int j = 0; j < h; j++)
            {
                if (ly + j < 0 || ly + j >= level.Height)
                {
                    continue;
                }

                for (int i = 0; i < w; i++)
                {
                    if (lx + i < 0 || lx + i >= level.Width)
                    {
                        continue;
                    }

                    compared++;
                    uint a = expected[(j * w) + i], b = actual[(j * w) + i];
                    if (a != b)
                    {
                        differing++;
                        largest = Math.Max(largest, LargestChannelDifference(a, b));
                    }
                }
            }
        }

        return new LevelVerdict(level.Index, regionsPerLevel, compared, differing, largest, null);
    }

    private static int LargestChannelDifference(uint a, uint b)
    {
        int largest = 0;
        for (int shift = 0; shift < 32; shift += 8)
        {
            largest = Math.Max(largest, Math.Abs((int)((a >> shift) & 0xFF) - (int)((b >> shift) & 0xFF)));
        }

        return largest;
    }

    private static int ParseMajor(string? version)
    {
        if (version is null)
        {
            return 0;
        }

        int dot = version.IndexOf('.', StringComparison.Ordinal);
        return int.TryParse(dot < 0 ? version : version[..dot], NumberStyles.Integer, CultureInfo.InvariantCulture, out int major) ? major : 0;
    }
}
