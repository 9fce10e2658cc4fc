using Reader.Core;
using Reader.Core.Loader;
using Reader.Gpu;
using Reader.Gpu.Accelerators;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Loader;

/// <summary>
/// Patches at a target resolution: the level choice (closest resolution at least as fine), the integer area-average
/// filter against an exact rational reference, and the GPU kernel (on ILGPU's CPU accelerator) byte-identical to the
/// CPU for many sizes and ratios.
/// </summary>
public sealed class ResolutionTests
{
    [Theory]
    [InlineData(7, 5, 3, 2)]
    [InlineData(256, 256, 128, 128)]
    [InlineData(300, 200, 256, 171)]
    [InlineData(513, 257, 256, 128)]
    [InlineData(10, 10, 1, 1)]
    [InlineData(9, 4, 9, 4)]
    public void The_filter_equals_the_exact_area_average_rounded_half_up(int sw, int sh, int dw, int dh)
    {
        byte[] source = Random(sw * sh * 3, sw * 31 + sh);
        var ours = new byte[dw * dh * 3];
        AreaResampler.Resample(source, sw, sh, 3, ours, dw, dh);
        for (int y = 0; y < dh; y++)
        {
            for (int x = 0; x < dw; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    // Exact rational reference: integrate the source over the output pixel's area, in units of 1/(dw dh).
                    // (Over a window one pixel wider than the output pixel's footprint on every side; weights outside are 0.)
                    System.Numerics.BigInteger sum = 0;
                    for (int sy = Math.Max(0, (y * sh / dh) - 1); sy < Math.Min(sh, ((y + 1) * sh / dh) + 2); sy++)
                    {
                        long wy = Math.Max(0, Math.Min((long)(y + 1) * sh, (long)(sy + 1) * dh) - Math.Max((long)y * sh, (long)sy * dh));
                        for (int sx = Math.Max(0, (x * sw / dw) - 1); sx < Math.Min(sw, ((x + 1) * sw / dw) + 2); sx++)
                        {
                            long wx = Math.Max(0, Math.Min((long)(x + 1) * sw, (long)(sx + 1) * dw) - Math.Max((long)x * sw, (long)sx * dw));
                            sum += source[(((sy * sw) + sx) * 3) + c] * (System.Numerics.BigInteger)(wx * wy);
                        }
                    }

                    long area = (long)sw * sh;
                    var expected = (byte)((sum + (area / 2)) / area);
                    Assert.Equal(expected, ours[(((y * dw) + x) * 3) + c]);
                }
            }
        }
    }

    [Fact]
    public void A_constant_image_stays_constant_and_identity_is_a_copy()
    {
        byte[] grey = Enumerable.Repeat((byte)137, 97 * 61 * 4).ToArray();
        var small = new byte[13 * 7 * 4];
        AreaResampler.Resample(grey, 97, 61, 4, small, 13, 7);
        Assert.All(small, b => Assert.Equal(137, b));
        byte[] random = Random(40 * 30 * 3, 5);
        var same = new byte[random.Length];
        AreaResampler.Resample(random, 40, 30, 3, same, 40, 30);
        Assert.Equal(random, same);
        Assert.Throws<ArgumentOutOfRangeException>(() => AreaResampler.Resample(random, 40, 30, 3, new byte[50 * 30 * 3], 50, 30));
    }

    [Theory]
    [InlineData(256, 256, 3, 224, 224)]
    [InlineData(517, 389, 3, 256, 256)]
    [InlineData(100, 80, 4, 33, 17)]
    [InlineData(64, 64, 1, 64, 64)]
    public void The_gpu_kernel_is_byte_identical_to_the_cpu(int sw, int sh, int channels, int dw, int dh)
    {
        byte[] source = Random(sw * sh * channels, sw + dh);
        var cpu = new byte[dw * dh * channels];
        AreaResampler.Resample(source, sw, sh, channels, cpu, dw, dh);
        using var decoder = new GpuDecoder(new GpuReaderOptions { Accelerator = GpuAcceleratorKind.Cpu });
        byte[] gpu = new GpuResampler(decoder).Resample(source, sw, sh, channels, dw, dh);
        Assert.Equal(cpu, gpu);
    }

    [Fact]
    public void The_level_is_the_coarsest_at_least_as_fine_and_patches_are_area_averaged()
    {
        // Generated SVS: level 0 at 0.499 µm, levels at 2x and 4x.
        string path = TestSlides.Get(new SyntheticSlideSpec { Width = 2400, Height = 1800, TileWidth = 240, TileHeight = 240, Levels = 3, Vendor = SlideVendor.Aperio, Quality = 85 });
        using var slide = Slide.Open(path);
        Assert.Equal(0.499, slide.Mpp!.Value.X, 6);

        ResolvedPatch at05 = ResolutionReads.Resolve(slide, PatchResolution.AtMpp(0.5), 224, 224);
        Assert.Equal(0, at05.Level);
        Assert.Equal(224, at05.SourceWidth); // 224 * 0.5 / 0.499 rounds to 224

        ResolvedPatch at1 = ResolutionReads.Resolve(slide, PatchResolution.AtMpp(1.0), 256, 256);
        Assert.Equal(1, at1.Level); // 0.998 µm: at least as fine as 1.0
        Assert.Equal((int)Math.Round(256 * 1.0 / 0.998), at1.SourceWidth);

        ResolvedPatch at3 = ResolutionReads.Resolve(slide, PatchResolution.AtMpp(3.0), 100, 50);
        Assert.Equal(2, at3.Level); // 1.996 µm, the coarsest level not coarser than 3.0
        Assert.Equal(2 * 1.996, 3.992, 3);

        ResolvedPatch x10 = ResolutionReads.Resolve(slide, PatchResolution.AtMagnification(10), 64, 64);
        Assert.Equal(1, x10.Level); // AppMag 20: 10x is 0.998 µm
        Assert.Equal(0.998, x10.TargetMpp, 6);

        byte[] patch = ResolutionReads.Read(slide, 300, 200, 256, 256, PatchResolution.AtMpp(1.5));
        ResolvedPatch plan = ResolutionReads.Resolve(slide, PatchResolution.AtMpp(1.5), 256, 256);
        byte[] region = slide.ReadRegion(300, 200, plan.Level, plan.SourceWidth, plan.SourceHeight);
        var expected = new byte[256 * 256 * 3];
        AreaResampler.Resample(region, plan.SourceWidth, plan.SourceHeight, 3, expected, 256, 256);
        Assert.Equal(expected, patch);

        Assert.Throws<ArgumentOutOfRangeException>(() => ResolutionReads.Resolve(slide, PatchResolution.AtMpp(0.25), 64, 64));
    }

    [Fact]
    public void A_slide_without_mpp_needs_a_fallback()
    {
        string path = TestSlides.Get(new SyntheticSlideSpec { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 2 });
        using var slide = Slide.Open(path);
        Assert.Null(slide.Mpp);
        UnsupportedFormatException e = Assert.Throws<UnsupportedFormatException>(() => ResolutionReads.Resolve(slide, PatchResolution.AtMpp(0.5), 64, 64));
        Assert.Contains("FallbackMpp", e.Message, StringComparison.Ordinal);
        ResolvedPatch plan = ResolutionReads.Resolve(slide, PatchResolution.AtMpp(1.0) with { FallbackMpp = 0.5 }, 64, 64);
        Assert.Equal(1, plan.Level);
        Assert.Equal(64, plan.SourceWidth);
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
