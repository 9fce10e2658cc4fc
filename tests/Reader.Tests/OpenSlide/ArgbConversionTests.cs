using Reader.Reference.OpenSlide;

namespace Reader.Tests.OpenSlide;

/// <summary>
/// Premultiplied ARGB to straight RGBA/RGB (no library needed). The arithmetic is
/// openslide-python's argb2rgba: truncating <c>c * 255 / a</c>.
/// </summary>
public class ArgbConversionTests
{
    [Theory]
    [InlineData(0xFF112233u, 0x11, 0x22, 0x33, 0xFF)] // opaque: unchanged
    [InlineData(0x00000000u, 0, 0, 0, 0)] // transparent
    [InlineData(0x00112233u, 0, 0, 0, 0)] // invalid premultiplied input with alpha 0: all 0
    [InlineData(0x7F21252Au, 66, 74, 84, 127)] // a pixel of cog_rgb.tif, as openslide-python returns it
    [InlineData(0x02010101u, 127, 127, 127, 2)] // 1 * 255 / 2 = 127.5 truncates (rounding would give 128)
    [InlineData(0x80804020u, 255, 127, 63, 128)]
    [InlineData(0x10FF0000u, 255, 0, 0, 16)] // invalid (c > a): clamped
    public void Converts_one_pixel(uint argb, int r, int g, int b, int a)
    {
        Assert.Equal(new[] { (byte)r, (byte)g, (byte)b, (byte)a }, ArgbConversion.ToRgba([argb]));
        Assert.Equal(new[] { (byte)r, (byte)g, (byte)b }, ArgbConversion.ToRgb([argb]));
    }

    [Fact]
    public void Unpremultiply_matches_the_formula_for_every_valid_input()
    {
        for (int a = 0; a < 256; a++)
        {
            for (int c = 0; c <= a; c++)
            {
                int expected = a switch { 0 => 0, 255 => c, _ => c * 255 / a };
                Assert.Equal(expected, ArgbConversion.Unpremultiply((byte)c, (byte)a));
            }
        }
    }

    /// <summary>Every length around the vector width, opaque runs mixed with other alphas: the fast paths equal the scalar rule.</summary>
    [Fact]
    public void Vector_fast_paths_equal_the_per_pixel_rule()
    {
        var random = new Random(1234);
        for (int length = 0; length < 70; length++)
        {
            for (int trial = 0; trial < 8; trial++)
            {
                uint[] argb = [.. Enumerable.Range(0, length).Select(_ => RandomPixel(random, trial))];
                byte[] expectedRgba = [.. argb.SelectMany(ReferenceRgba)];
                byte[] expectedRgb = [.. argb.SelectMany(p => ReferenceRgba(p).Take(3))];

                Assert.Equal(expectedRgba, ArgbConversion.ToRgba(argb));
                Assert.Equal(expectedRgb, ArgbConversion.ToRgb(argb));

                // Exactly sized destinations (no slack for the 16-byte vector store of RGB).
                var rgb = new byte[length * 3];
                ArgbConversion.ToRgb(argb, rgb);
                Assert.Equal(expectedRgb, rgb);

                // In place.
                uint[] copy = [.. argb];
                ArgbConversion.ToRgba(copy, System.Runtime.InteropServices.MemoryMarshal.AsBytes(copy.AsSpan()));
                Assert.Equal(expectedRgba, System.Runtime.InteropServices.MemoryMarshal.AsBytes(copy.AsSpan()).ToArray());
            }
        }
    }

    [Fact]
    public void Short_or_overlapping_destinations_are_refused()
    {
        var argb = new uint[8];
        Assert.Throws<ArgumentException>(() => ArgbConversion.ToRgba(argb, new byte[31]));
        Assert.Throws<ArgumentException>(() => ArgbConversion.ToRgb(argb, new byte[23]));
        Assert.Throws<ArgumentException>(() =>
        {
            uint[] both = new uint[16];
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(both.AsSpan());
            ArgbConversion.ToRgba(both.AsSpan(0, 8), bytes[4..]);
        });
        Assert.Throws<ArgumentException>(() =>
        {
            uint[] both = new uint[16];
            ArgbConversion.ToRgb(both.AsSpan(0, 8), System.Runtime.InteropServices.MemoryMarshal.AsBytes(both.AsSpan()));
        });
    }

    private static uint RandomPixel(Random random, int trial)
    {
        // Mostly opaque for some trials (the vector path), mostly mixed for others.
        int a = random.Next(4) switch
        {
            0 when trial % 2 == 0 => random.Next(256),
            1 when trial % 4 == 1 => 0,
            _ when trial % 3 == 2 => random.Next(256),
            _ => 255,
        };
        uint Channel() => (uint)random.Next(a + 1);
        return ((uint)a << 24) | (Channel() << 16) | (Channel() << 8) | Channel();
    }

    private static byte[] ReferenceRgba(uint p)
    {
        uint a = p >> 24;
        byte Un(uint c) => a switch { 0 => 0, 255 => (byte)c, _ => (byte)Math.Min(255, c * 255 / a) };
        return [Un((p >> 16) & 0xFF), Un((p >> 8) & 0xFF), Un(p & 0xFF), (byte)a];
    }
}
