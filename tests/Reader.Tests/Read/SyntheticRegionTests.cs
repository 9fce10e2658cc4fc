using Reader.Core;
using Reader.Native;
using Reader.Reference;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Read;

/// <summary>
/// ReadRegion on every synthetic slide kind, every level, a fixed set of regions (aligned,
/// unaligned, spanning tiles, on the edges, partly and wholly outside, 1x1, whole level),
/// both pixel formats, both decoder backends: pixel for pixel against an independent decode.
/// </summary>
public class SyntheticRegionTests
{
    public static TheoryData<string> Kinds => SyntheticSlides.Names;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Native_decoders_match_the_reference(string kind) => Check(kind, DecoderBackend.Native);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Managed_decoders_match_the_reference(string kind) => Check(kind, DecoderBackend.Managed);

    internal static IEnumerable<(long X, long Y, int W, int H)> Regions(long width, long height, int tw, int th)
    {
        yield return (0, 0, tw, th);
        yield return (tw, th, tw, th);
        yield return (1, 1, tw, th);
        yield return ((tw / 2) + 3, (th / 3) + 1, (2 * tw) + 5, (2 * th) + 3);
        yield return (width - 10, height - 7, 64, 64);
        yield return (width - 1, height - 1, 1, 1);
        yield return (0, 0, 1, 1);
        yield return (-5, -3, 40, 30);
        yield return (width + 10, 0, 16, 16);
        yield return (-100, -100, 50, 50);
        yield return (0, 0, (int)width, (int)height);
    }

    private static void Check(string kind, DecoderBackend backend)
    {
        Assert.SkipUnless(LibTiff.IsAvailable, LibTiff.UnavailableReason);
        Assert.SkipUnless(TurboJpeg.IsAvailable, TurboJpeg.UnavailableReason);
        Assert.SkipWhen(backend == DecoderBackend.Native && !NativeShim.IsAvailable, "native shim unavailable: " + NativeShim.UnavailableReason);
        SyntheticSlideSpec spec = SyntheticSlides.Kinds[kind];
        string path = TestSlides.Get(spec);
        var fill = new FillColor(10, 20, 30, 40);
        using var slide = Slide.Open(path, new SlideOptions { Backend = backend, Fill = fill });
        var reference = new ReferenceRegion(path, spec);
        Assert.Equal(SyntheticSlideWriter.LevelCount(spec), slide.Levels.Count);
        int n = 0;
        foreach (SlideLevel level in slide.Levels)
        {
            Assert.Equal(spec.LevelSize(level.Index), (level.Width, level.Height));
            foreach ((long lx, long ly, int w, int h) in Regions(level.Width, level.Height, spec.TileWidth, spec.TileHeight))
            {
                PixelFormat format = n++ % 2 == 0 ? PixelFormat.Rgb24 : PixelFormat.Rgba32;
                long x = (long)Math.Round(lx * level.Downsample), y = (long)Math.Round(ly * level.Downsample);
                long expectedX = (long)Math.Floor(x / level.Downsample), expectedY = (long)Math.Floor(y / level.Downsample);
                byte[] actual = slide.ReadRegion(x, y, level.Index, w, h, format);
                byte[] expected = reference.Build(level.Index, expectedX, expectedY, w, h, format, fill);
                PixelAssert.Equal(expected, actual, w, format.BytesPerPixel(), $"{kind} {backend} level {level.Index} region ({x}, {y}) {w}x{h} {format}");
            }
        }
    }
}
