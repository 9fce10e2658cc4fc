using Reader.Core.Decode.Jpeg;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.Reference;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Decode;

/// <summary>
/// Both of our JPEG decoders (the libjpeg-API shim and the managed decoder) against libjpeg-turbo's
/// TurboJPEG API, on fresh random images every run (the seed is printed on failure): random sizes,
/// subsampling, quality 10 to 100, restart intervals, grey and RGB-coded, tables shared, in the
/// tile, or split between JPEGTables and tile.
/// </summary>
public class JpegDecoderTests
{
    public static TheoryData<int> Rounds => [.. Enumerable.Range(0, 12)];

    [Theory]
    [MemberData(nameof(Rounds))]
    public void Random_images_decode_bit_exact_with_both_decoders(int round)
    {
        Assert.SkipUnless(TurboJpeg.IsAvailable, TurboJpeg.UnavailableReason);
        Assert.SkipUnless(NativeShim.IsAvailable, "native shim unavailable (the encoder and one decoder under test): " + NativeShim.UnavailableReason);
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        string context = $"round {round} seed {seed}";
        for (int image = 0; image < 8; image++)
        {
            int width = rng.Next(1, 300), height = rng.Next(1, 300);
            int quality = rng.Next(10, 101);
            int restart = rng.Next(4) == 0 ? rng.Next(1, 8) : 0;
            int kind = rng.Next(6);
            (int h, int v) = kind switch
            {
                0 => (2, 2),
                1 => (2, 1),
                2 => (1, 2),
                3 => (4, 1),
                _ => (1, 1),
            };
            JpegColorSpace color = kind == 4 ? JpegColorSpace.Rgb : kind == 5 ? JpegColorSpace.Gray : JpegColorSpace.YCbCr;
            int components = color == JpegColorSpace.Gray ? 1 : 3;
            byte[] pixels = RandomImage(rng, width, height, components);
            string what = $"{context} image {image}: {width}x{height} {color} {h}x{v} Q{quality} restart {restart}";

            // Complete stream, then the same as JPEGTables + abbreviated tile, then split tables.
            byte[] whole = NativeJpegEncoder.Encode(pixels, width, height, width * components, components, color, quality, h, v, restart);
            byte[] tables = NativeJpegEncoder.EncodeTables(components, color, quality);
            byte[] abbreviated = NativeJpegEncoder.Encode(pixels, width, height, width * components, components, color, quality, h, v, restart, abbreviated: true);
            byte[] splitTables = JpegSegments.Without(tables, JpegSegments.Dht);
            byte[] splitTile = JpegSegments.Without(whole, JpegSegments.Dqt);

            byte[] expected = Reference(whole, color, components);
            JpegOutput output = components == 1 ? JpegOutput.Components : JpegOutput.Rgb;
            int bpp = components;
            foreach ((byte[]? t, byte[] tile, string placement) in new[] { ((byte[]?)null, whole, "in tile"), (tables, abbreviated, "shared"), (splitTables, splitTile, "split") })
            {
                byte[] native = new byte[width * height * bpp];
                using (var decoder = new NativeJpegDecoder())
                {
                    NativeStatus status = decoder.Decode(t, tile, color, output, native, width * bpp, width, height, out int w, out int hh, out _);
                    Assert.True(status == NativeStatus.Ok, $"{what} {placement}: native {status} {decoder.LastMessage}");
                    Assert.Equal((width, height), (w, hh));
                }

                byte[] managed = new byte[width * height * bpp];
                var m = new ManagedJpegDecoder();
                JpegDecodeStatus ms = m.Decode(t, tile, color, output, managed, width * bpp, width, height, out _, out _, out _);
                Assert.True(ms == JpegDecodeStatus.Ok, $"{what} {placement}: managed {ms} {m.LastMessage}");

                PixelAssert.Equal(expected, native, width, bpp, $"{what} {placement} native vs TurboJPEG");
                PixelAssert.Equal(expected, managed, width, bpp, $"{what} {placement} managed vs TurboJPEG");
            }
        }
    }

    [Fact]
    public void Rgba_output_equals_rgb_plus_opaque_alpha()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "native shim unavailable: " + NativeShim.UnavailableReason);
        var rng = new Random(7);
        byte[] pixels = RandomImage(rng, 77, 51, 3);
        byte[] jpeg = NativeJpegEncoder.Encode(pixels, 77, 51, 77 * 3, 3, JpegColorSpace.YCbCr, 85);
        byte[] rgb = new byte[77 * 51 * 3], rgba = new byte[77 * 51 * 4], managedRgba = new byte[77 * 51 * 4];
        using var native = new NativeJpegDecoder();
        Assert.Equal(NativeStatus.Ok, native.Decode(default, jpeg, JpegColorSpace.YCbCr, JpegOutput.Rgb, rgb, 77 * 3, 77, 51, out _, out _, out _));
        Assert.Equal(NativeStatus.Ok, native.Decode(default, jpeg, JpegColorSpace.YCbCr, JpegOutput.Rgba, rgba, 77 * 4, 77, 51, out _, out _, out _));
        Assert.Equal(JpegDecodeStatus.Ok, new ManagedJpegDecoder().Decode(default, jpeg, JpegColorSpace.YCbCr, JpegOutput.Rgba, managedRgba, 77 * 4, 77, 51, out _, out _, out _));
        for (int i = 0; i < 77 * 51; i++)
        {
            Assert.Equal(rgb[3 * i], rgba[4 * i]);
            Assert.Equal(rgb[(3 * i) + 2], rgba[(4 * i) + 2]);
            Assert.Equal(255, rgba[(4 * i) + 3]);
        }

        Assert.Equal(rgba, managedRgba);
    }

    [Fact]
    public void A_tile_relying_on_tables_defined_only_by_an_earlier_tile_is_rejected()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "native shim unavailable: " + NativeShim.UnavailableReason);
        byte[] pixels = RandomImage(new Random(3), 32, 32, 3);
        byte[] withTables = NativeJpegEncoder.Encode(pixels, 32, 32, 96, 3, JpegColorSpace.YCbCr, 90);
        byte[] withoutHuffman = JpegSegments.Without(withTables, JpegSegments.Dht);
        var decoder = new ManagedJpegDecoder();
        byte[] output = new byte[32 * 32 * 3];
        Assert.Equal(JpegDecodeStatus.Ok, decoder.Decode(default, withTables, JpegColorSpace.YCbCr, JpegOutput.Rgb, output, 96, 32, 32, out _, out _, out _));
        Assert.Equal(JpegDecodeStatus.Corrupt, decoder.Decode(default, withoutHuffman, JpegColorSpace.YCbCr, JpegOutput.Rgb, output, 96, 32, 32, out _, out _, out _));
        Assert.Contains("Huffman table", decoder.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_data_is_an_error_in_both_decoders_never_silent_grey()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "native shim unavailable: " + NativeShim.UnavailableReason);
        byte[] pixels = RandomImage(new Random(5), 64, 64, 3);
        byte[] jpeg = NativeJpegEncoder.Encode(pixels, 64, 64, 192, 3, JpegColorSpace.YCbCr, 90);
        byte[] truncated = jpeg[..(jpeg.Length / 2)];
        byte[] output = new byte[64 * 64 * 3];
        using var native = new NativeJpegDecoder();
        Assert.Equal(NativeStatus.Corrupt, native.Decode(default, truncated, JpegColorSpace.YCbCr, JpegOutput.Rgb, output, 192, 64, 64, out _, out _, out _));
        Assert.Contains("Premature end", native.LastMessage, StringComparison.Ordinal);
        var managed = new ManagedJpegDecoder();
        Assert.Equal(JpegDecodeStatus.Corrupt, managed.Decode(default, truncated, JpegColorSpace.YCbCr, JpegOutput.Rgb, output, 192, 64, 64, out _, out _, out _));

        // The decoder stays usable after an error.
        Assert.Equal(NativeStatus.Ok, native.Decode(default, jpeg, JpegColorSpace.YCbCr, JpegOutput.Rgb, output, 192, 64, 64, out _, out _, out _));
    }

    private static byte[] Reference(byte[] whole, JpegColorSpace color, int components)
    {
        return color switch
        {
            JpegColorSpace.Gray => TurboJpeg.Decode(whole, TurboJpeg.PixelGray, out _, out _),
            JpegColorSpace.Rgb => TurboJpeg.DecodeRawInterleaved(whole, out _, out _),
            _ => TurboJpeg.Decode(whole, TurboJpeg.PixelRgb, out _, out _),
        };
    }

    /// <summary>Smooth gradients plus noise and hard edges: exercises every coefficient range.</summary>
    internal static byte[] RandomImage(Random rng, int width, int height, int components)
    {
        var pixels = new byte[width * height * components];
        int noise = rng.Next(1, 120);
        double fx = rng.NextDouble() * 0.3, fy = rng.NextDouble() * 0.3;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < components; c++)
                {
                    double v = 128 + (100 * Math.Sin((x * fx) + (c * 1.7))) + (60 * Math.Cos(y * fy)) + rng.Next(-noise, noise + 1);
                    if (((x / 7) + (y / 5)) % 11 == 0)
                    {
                        v = 255 - v;
                    }

                    pixels[((y * width) + x) * components + c] = (byte)Math.Clamp((int)v, 0, 255);
                }
            }
        }

        return pixels;
    }
}

/// <summary>BitMiracle.LibJpeg.NET as a second opinion where it agrees with libjpeg-turbo (no subsampling), and as the writer's managed encoder.</summary>
public class LibJpegNetSecondOpinionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_444_tile_decodes_like_LibJpegNet(bool rgbCoded)
    {
        int seed = Random.Shared.Next();
        byte[] pixels = JpegDecoderTests.RandomImage(new Random(seed), 96, 80, 3);
        byte[] jpeg = EncodeWithLibJpegNet(pixels, 96, 80, rgbCoded);
        byte[] theirs = DecodeWithLibJpegNet(jpeg, 96, 80, rgbCoded);
        byte[] ours = new byte[96 * 80 * 3];
        JpegColorSpace color = rgbCoded ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr;
        Assert.Equal(JpegDecodeStatus.Ok, new ManagedJpegDecoder().Decode(default, jpeg, color, JpegOutput.Rgb, ours, 96 * 3, 96, 80, out _, out _, out _));
        if (rgbCoded)
        {
            // No colour transform: the IDCTs must agree exactly.
            PixelAssert.Equal(theirs, ours, 96, 3, $"LibJpeg.NET vs managed, RGB-coded 4:4:4, seed {seed}");
            return;
        }

        // Its YCbCr-to-RGB rounding differs from libjpeg-turbo's (which ours matches bit for bit) by at most 1.
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1, $"byte {i}: LibJpeg.NET {theirs[i]}, ours {ours[i]}, seed {seed}");
        }
    }

    [Fact]
    public void A_slide_written_with_the_managed_encoder_reads_the_same_with_both_backends()
    {
        var spec = new SyntheticSlideSpec { Width = 500, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, ManagedJpegEncoder = true, Quality = 75 };
        string path = TestSlides.Get(spec);
        var reference = new ReferenceRegion(path, spec);
        foreach (Reader.Core.DecoderBackend backend in NativeShim.IsAvailable ? new[] { Reader.Core.DecoderBackend.Native, Reader.Core.DecoderBackend.Managed } : [Reader.Core.DecoderBackend.Managed])
        {
            using var slide = Reader.Core.Slide.Open(path, new Reader.Core.SlideOptions { Backend = backend });
            byte[] actual = slide.ReadRegion(3, 5, 0, 400, 250, Reader.Core.PixelFormat.Rgb24);
            if (TurboJpeg.IsAvailable && LibTiff.IsAvailable)
            {
                PixelAssert.Equal(reference.Build(0, 3, 5, 400, 250, Reader.Core.PixelFormat.Rgb24, default), actual, 400, 3, $"managed-encoder slide, {backend}");
            }
        }
    }

    private static byte[] EncodeWithLibJpegNet(byte[] rgb, int width, int height, bool rgbCoded)
    {
        using var output = new MemoryStream();
        var c = new BitMiracle.LibJpeg.Classic.jpeg_compress_struct(new BitMiracle.LibJpeg.Classic.jpeg_error_mgr());
        c.jpeg_stdio_dest(output);
        c.Image_width = width;
        c.Image_height = height;
        c.Input_components = 3;
        c.In_color_space = BitMiracle.LibJpeg.Classic.J_COLOR_SPACE.JCS_RGB;
        c.jpeg_set_defaults();
        if (rgbCoded)
        {
            c.jpeg_set_colorspace(BitMiracle.LibJpeg.Classic.J_COLOR_SPACE.JCS_RGB);
        }

        foreach (BitMiracle.LibJpeg.Classic.jpeg_component_info component in c.Component_info)
        {
            component.H_samp_factor = 1;
            component.V_samp_factor = 1;
        }

        c.jpeg_set_quality(85, true);
        c.jpeg_start_compress(true);
        var row = new byte[1][];
        for (int y = 0; y < height; y++)
        {
            row[0] = rgb.AsSpan(y * width * 3, width * 3).ToArray();
            c.jpeg_write_scanlines(row, 1);
        }

        c.jpeg_finish_compress();
        return output.ToArray();
    }

    private static byte[] DecodeWithLibJpegNet(byte[] jpeg, int width, int height, bool rgbCoded)
    {
        var d = new BitMiracle.LibJpeg.Classic.jpeg_decompress_struct(new BitMiracle.LibJpeg.Classic.jpeg_error_mgr());
        using var input = new MemoryStream(jpeg);
        d.jpeg_stdio_src(input);
        d.jpeg_read_header(true);
        if (rgbCoded)
        {
            d.Jpeg_color_space = BitMiracle.LibJpeg.Classic.J_COLOR_SPACE.JCS_RGB;
        }

        d.Out_color_space = BitMiracle.LibJpeg.Classic.J_COLOR_SPACE.JCS_RGB;
        d.jpeg_start_decompress();
        var output = new byte[width * height * 3];
        var row = new byte[1][] { new byte[width * 3] };
        while (d.Output_scanline < height)
        {
            int y = d.Output_scanline;
            d.jpeg_read_scanlines(row, 1);
            row[0].CopyTo(output, y * width * 3);
        }

        d.jpeg_finish_decompress();
        return output;
    }
}
