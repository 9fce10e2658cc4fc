using System.Buffers.Binary;
using Reader.Core;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Open;

/// <summary>Container and pyramid structure: byte orders, BigTIFF, SubIFD and Aperio layouts, IFD chains that lie.</summary>
public class TiffStructureTests
{
    private static readonly SyntheticSlideSpec Small = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 3, Quality = 80 };

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Byte_order_and_BigTiff_do_not_change_pixels(bool bigTiff, bool bigEndian)
    {
        using var plain = Slide.Open(TestSlides.Get(Small));
        using var other = Slide.Open(TestSlides.Get(Small with { BigTiff = bigTiff, BigEndian = bigEndian }));
        AssertSamePixels(plain, other);
    }

    [Fact]
    public void A_SubIfd_pyramid_has_the_same_levels_and_pixels_as_a_flat_one()
    {
        using var flat = Slide.Open(TestSlides.Get(Small));
        using var sub = Slide.Open(TestSlides.Get(Small with { Vendor = SlideVendor.SubIfd }));
        AssertSamePixels(flat, sub);
    }

    [Fact]
    public void Aperio_levels_skip_the_thumbnail_and_the_description_becomes_properties()
    {
        using var flat = Slide.Open(TestSlides.Get(Small with { Color = SlideColor.RgbCodedJpeg }));
        using var aperio = Slide.Open(TestSlides.Get(Small with { Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio }));
        Assert.Equal("aperio", aperio.Vendor);
        Assert.Equal("generic-tiff", flat.Vendor);
        AssertSamePixels(flat, aperio);
        Assert.Equal("0.4990", aperio.Properties["aperio.MPP"]);
        Assert.Equal("0.499", aperio.Properties["openslide.mpp-x"]); // canonicalised as OpenSlide prints doubles
        Assert.Equal("thumbnail", Assert.Single(aperio.AssociatedImageNames));
        Assert.Equal("20", aperio.Properties["openslide.objective-power"]);
    }

    [Fact]
    public void A_loop_in_the_IFD_chain_is_a_corrupt_file_not_a_hang()
    {
        string path = CopyOf(Small);
        byte[] bytes = File.ReadAllBytes(path);
        long first = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        long lastNext = LastNextPointer(bytes, first);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)lastNext), (uint)first);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CorruptSlideException>(() => Slide.Open(path));
        Assert.Contains("directory loop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_IFD_offset_beyond_the_end_is_reported_with_the_IFD()
    {
        string path = CopyOf(Small);
        byte[] bytes = File.ReadAllBytes(path);
        long first = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)LastNextPointer(bytes, first)), (uint)bytes.Length + 1000);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CorruptSlideException>(() => Slide.Open(path));
        Assert.Contains("IFD 3: directory offset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_fails_cleanly()
    {
        string path = CopyOf(Small);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.ThrowsAny<SlideException>(() => Slide.Open(path));
    }

    private static string CopyOf(SyntheticSlideSpec spec)
    {
        string path = TestSlides.NewPath("mangled.tif");
        File.Copy(TestSlides.Get(spec), path);
        return path;
    }

    /// <summary>File position of the last IFD's next-IFD pointer (classic little-endian TIFF).</summary>
    private static long LastNextPointer(byte[] bytes, long offset)
    {
        while (true)
        {
            int count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)offset));
            long pointer = offset + 2 + (count * 12);
            long next = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)pointer));
            if (next == 0)
            {
                return pointer;
            }

            offset = next;
        }
    }

    private static void AssertSamePixels(Slide a, Slide b)
    {
        Assert.Equal(a.Levels.Select(l => (l.Width, l.Height, l.Downsample)), b.Levels.Select(l => (l.Width, l.Height, l.Downsample)));
        foreach (SlideLevel level in a.Levels)
        {
            long x = (long)(37 * level.Downsample);
            byte[] pa = a.ReadRegion(x, 0, level.Index, (int)Math.Min(level.Width, 300), (int)level.Height, PixelFormat.Rgba32);
            byte[] pb = b.ReadRegion(x, 0, level.Index, (int)Math.Min(level.Width, 300), (int)level.Height, PixelFormat.Rgba32);
            PixelAssert.Equal(pa, pb, (int)Math.Min(level.Width, 300), 4, $"level {level.Index}");
        }
    }
}
