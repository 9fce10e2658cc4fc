using Reader.Core;
using Reader.Core.Batch;
using Reader.Native;
using Reader.Native.Jpeg2000;
using Reader.Native.Webp;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Codecs;

/// <summary>
/// Generated slides of the JPEG 2000 (33003 4:4:4 and 4:2:0, 33005 lossy and lossless) and WebP (lossy RGB,
/// lossless RGBA) codecs: every tile of a level, edge tiles included, equals a direct decode of the same tile bytes
/// (with the 33003 colour conversion recomputed here from OpenSlide's formula); lossless ones equal the content they
/// were written from; a corrupt tile names file, level and tile; the batch API returns the same patches.
/// Skips loudly when the shim lacks OpenJPEG or libwebp.
/// </summary>
public class Jpeg2000AndWebpTests
{
    private static readonly Dictionary<string, SyntheticSlideSpec> Kinds = new()
    {
        ["j2k-ycbcr-444"] = Spec(SlideCompression.Jpeg2000YCbCr) with { Subsampling = ChromaSubsampling.S444 },
        ["j2k-ycbcr-420"] = Spec(SlideCompression.Jpeg2000YCbCr) with { Subsampling = ChromaSubsampling.S420 },
        ["j2k-ycbcr-422-aperio"] = Spec(SlideCompression.Jpeg2000YCbCr) with { Subsampling = ChromaSubsampling.S422, Vendor = SlideVendor.Aperio, TileWidth = 240, TileHeight = 240 },
        ["j2k-rgb"] = Spec(SlideCompression.Jpeg2000Rgb),
        ["j2k-rgb-lossless"] = Spec(SlideCompression.Jpeg2000Rgb) with { Jpeg2000Rate = 0 },
        ["webp-rgb"] = Spec(SlideCompression.WebP) with { Quality = 80 },
        ["webp-rgba-lossless"] = Spec(SlideCompression.WebP) with { Color = SlideColor.Rgba, WebpLossless = true },
    };

    public static TheoryData<string> KindNames => [.. Kinds.Keys];

    public static TheoryData<string> LosslessNames => ["j2k-rgb-lossless", "webp-rgba-lossless"];

    private static SyntheticSlideSpec Spec(SlideCompression compression) =>
        new() { Width = 600, Height = 420, TileWidth = 128, TileHeight = 128, Levels = 3, Compression = compression, Seed = 11 };

    private static bool IsJ2k(SyntheticSlideSpec s) => s.Compression is SlideCompression.Jpeg2000Rgb or SlideCompression.Jpeg2000YCbCr;

    private static string SlidePath(string kind)
    {
        SyntheticSlideSpec spec = Kinds[kind];
        if (IsJ2k(spec))
        {
            Assert.SkipUnless(NativeJpeg2000.IsSupported, "JPEG 2000 needs OpenJPEG in the shim: " + NativeJpeg2000.UnsupportedReason);
        }
        else
        {
            Assert.SkipUnless(NativeWebp.IsSupported, "WebP needs libwebp in the shim: " + NativeWebp.UnsupportedReason);
        }

        return TestSlides.Get(spec);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void Every_tile_equals_a_direct_decode_of_its_bytes(string kind)
    {
        string path = SlidePath(kind);
        SyntheticSlideSpec spec = Kinds[kind];
        using var slide = Slide.Open(path);
        Assert.Equal(SyntheticSlideWriter.LevelCount(spec), slide.Levels.Count);
        foreach (SlideLevel level in slide.Levels)
        {
            byte[] whole = slide.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32);
            long across = (level.Width + level.TileWidth - 1) / level.TileWidth, down = (level.Height + level.TileHeight - 1) / level.TileHeight;
            for (long ty = 0; ty < down; ty++)
            {
                for (long tx = 0; tx < across; tx++)
                {
                    byte[] tile = DirectDecode(path, spec, level, tx, ty);
                    int vw = (int)Math.Min(level.TileWidth, level.Width - (tx * level.TileWidth));
                    int vh = (int)Math.Min(level.TileHeight, level.Height - (ty * level.TileHeight));
                    for (int y = 0; y < vh; y++)
                    {
                        ReadOnlySpan<byte> expected = tile.AsSpan(y * level.TileWidth * 4, vw * 4);
                        ReadOnlySpan<byte> actual = whole.AsSpan((int)((((ty * level.TileHeight) + y) * level.Width) + (tx * level.TileWidth)) * 4, vw * 4);
                        Assert.True(expected.SequenceEqual(actual), $"{kind} level {level.Index} tile ({tx}, {ty}) row {y} differs from a direct decode");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(LosslessNames))]
    public void Lossless_tiles_give_back_the_written_content(string kind)
    {
        string path = SlidePath(kind);
        SyntheticSlideSpec spec = Kinds[kind];
        using var slide = Slide.Open(path);
        SlideLevel level = slide.Levels[0];
        int w = (int)level.Width, h = (int)level.Height, spp = spec.SamplesPerPixel;
        var samples = new byte[w * h * spp];
        SyntheticContent.RenderSamples(spec, 0, 0, 0, w, h, samples, w * spp);
        byte[] ours = slide.ReadRegion(0, 0, 0, w, h, spp == 4 ? PixelFormat.Rgba32 : PixelFormat.Rgb24);
        Assert.True(samples.AsSpan().SequenceEqual(ours), $"{kind}: lossless level 0 differs from the written content");
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void A_corrupt_tile_names_file_level_and_tile(string kind)
    {
        string path = WithBrokenHeader(SlidePath(kind), 1, 1);
        using var slide = Slide.Open(path);
        int tw = slide.Levels[0].TileWidth, th = slide.Levels[0].TileHeight;
        CorruptSlideException e = Assert.Throws<CorruptSlideException>(() => slide.ReadRegion(tw, th, 0, tw, th));
        Assert.Contains(Path.GetFileName(path), e.Message, StringComparison.Ordinal);
        Assert.Contains("level 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains(IsJ2k(Kinds[kind]) ? "JPEG 2000" : "WebP", e.Message, StringComparison.Ordinal);

        // the neighbours still read
        Assert.Equal(tw * th * 3, slide.ReadRegion(0, 0, 0, tw, th).Length);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void Batches_equal_single_reads(string kind)
    {
        using var slide = Slide.Open(SlidePath(kind));
        List<PatchLocation> locations = [.. from y in Enumerable.Range(0, 4) from x in Enumerable.Range(0, 5) select new PatchLocation((x * 131) - 20, (y * 107) - 10)];
        int seen = 0;
        foreach (PatchBatch batch in slide.ReadRegions(locations, 96, 80, 0, new BatchOptions { BatchSize = 6, Workers = 2, Shuffle = true, Seed = 3, Format = PixelFormat.Rgba32 }, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    PatchLocation at = batch.Locations.Span[i];
                    Assert.True(batch.Patch(i).SequenceEqual(slide.ReadRegion(at.X, at.Y, 0, 96, 80, PixelFormat.Rgba32)), $"{kind}: batch patch at ({at.X}, {at.Y}) differs");
                    seen++;
                }
            }
        }

        Assert.Equal(locations.Count, seen);
    }

    [Fact]
    public void A_jp2_wrapped_codestream_decodes_like_the_raw_one()
    {
        Assert.SkipUnless(NativeJpeg2000.IsSupported, NativeJpeg2000.UnsupportedReason);
        var pixels = new byte[64 * 48 * 3];
        SyntheticContent.RenderRgb(5, 0, 0, 0, 64, 48, pixels, 64 * 3);
        byte[] raw = NativeJpeg2000.Encode(pixels, 64, 48, 64 * 3, rate: 0);
        byte[] jp2 = NativeJpeg2000.Encode(pixels, 64, 48, 64 * 3, rate: 0, jp2: true);
        Assert.Equal([0xFF, 0x4F, 0xFF, 0x51], raw[..4]);
        var a = new byte[pixels.Length];
        var b = new byte[pixels.Length];
        Assert.Equal(NativeStatus.Ok, NativeJpeg2000.Decode(raw, 3, a, 64 * 3, 64, 48, out _, out _, out _, out _));
        Assert.Equal(NativeStatus.Ok, NativeJpeg2000.Decode(jp2, 3, b, 64 * 3, 64, 48, out _, out _, out _, out string m));
        Assert.True(m.Length == 0, m);
        Assert.Equal(pixels, a);
        Assert.Equal(pixels, b);

        // larger than the tile: refused after the header, nothing written
        var small = new byte[32 * 48 * 3];
        Assert.Equal(NativeStatus.SizeMismatch, NativeJpeg2000.Decode(raw, 3, small, 32 * 3, 32, 48, out int w, out _, out _, out string why));
        Assert.Equal(64, w);
        Assert.Contains("larger than the 32x48 tile", why, StringComparison.Ordinal);
        Assert.All(small, v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_webp_larger_than_the_tile_is_refused_before_decoding()
    {
        Assert.SkipUnless(NativeWebp.IsSupported, NativeWebp.UnsupportedReason);
        var pixels = new byte[64 * 48 * 3];
        SyntheticContent.RenderRgb(5, 0, 0, 0, 64, 48, pixels, 64 * 3);
        byte[] webp = NativeWebp.Encode(pixels, 64, 48, 64 * 3, 3, -1);
        var small = new byte[32 * 32 * 4];
        Assert.Equal(NativeStatus.SizeMismatch, NativeWebp.Decode(webp, 4, small, 32 * 4, 32, 32, out int w, out int h, out _, out string why));
        Assert.Equal((64, 48), (w, h));
        Assert.Contains("larger than the 32x32 tile", why, StringComparison.Ordinal);
        var full = new byte[64 * 48 * 3];
        Assert.Equal(NativeStatus.Ok, NativeWebp.Decode(webp, 3, full, 64 * 3, 64, 48, out _, out _, out bool alpha, out _));
        Assert.False(alpha);
        Assert.Equal(pixels, full);
    }

    /// <summary>
    /// A copy whose tile (tx, ty) of level 0 has garbage from byte 4 on (the J2K SIZ length, the RIFF size and WebP
    /// tag): both libraries must fail on that, whereas garbage in the middle of the entropy-coded data can decode
    /// silently (OpenJPEG and libwebp both conceal errors in coded data).
    /// </summary>
    private static string WithBrokenHeader(string source, long tx, long ty)
    {
        string path = TestSlides.NewPath("broken-tile.tif");
        File.Copy(source, path);
        (long offset, int length) = SlideSurgery.TileRange(path, 0, tx, ty);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset + 4;
        for (int i = 0; i < length / 3; i++)
        {
            stream.WriteByte(0xA5);
        }

        return path;
    }

    /// <summary>Tile (tx, ty) decoded straight from its file bytes, as RGBA, a full tile wide.</summary>
    private static byte[] DirectDecode(string path, SyntheticSlideSpec spec, SlideLevel level, long tx, long ty)
    {
        (long offset, int length) = SlideSurgery.TileRange(path, level.Index, tx, ty);
        var data = new byte[length];
        using (var file = File.OpenRead(path))
        {
            file.Position = offset;
            file.ReadExactly(data);
        }

        int tw = level.TileWidth, th = level.TileHeight;
        var rgba = new byte[tw * th * 4];
        if (IsJ2k(spec))
        {
            Assert.Equal(NativeStatus.Ok, NativeJpeg2000.Decode(data, 4, rgba, tw * 4, tw, th, out _, out _, out _, out string message));
            Assert.True(message.Length == 0, message);
            if (spec.Compression == SlideCompression.Jpeg2000YCbCr)
            {
                for (int i = 0; i < rgba.Length; i += 4)
                {
                    (rgba[i], rgba[i + 1], rgba[i + 2]) = OpenSlideYCbCr(rgba[i], rgba[i + 1], rgba[i + 2]);
                }
            }
        }
        else
        {
            int spp = spec.SamplesPerPixel;
            var samples = new byte[tw * th * spp];
            Assert.Equal(NativeStatus.Ok, NativeWebp.Decode(data, spp, samples, tw * spp, tw, th, out _, out _, out _, out string message));
            Assert.True(message.Length == 0, message);
            for (int p = 0; p < tw * th; p++)
            {
                samples.AsSpan(p * spp, 3).CopyTo(rgba.AsSpan(p * 4));
                rgba[(p * 4) + 3] = spp == 4 ? samples[(p * spp) + 3] : (byte)255;
            }
        }

        return rgba;
    }

    /// <summary>OpenSlide 4.0.1's YCbCr to RGB for JPEG 2000 (make-tables.c, openslide-decode-jp2k.c), written out per pixel.</summary>
    internal static (byte R, byte G, byte B) OpenSlideYCbCr(int y, int cb, int cr)
    {
        static int Round(double v) => (int)Math.Round(v, MidpointRounding.AwayFromZero);
        int r = y + Round(1.402 * (cr - 128));
        int g = y + ((Round(65536.0 * (0.5 - (0.34414 * (cb - 128)))) + Round(65536.0 * -0.71414 * (cr - 128))) >> 16);
        int b = y + Round(1.772 * (cb - 128));
        return ((byte)Math.Clamp(r, 0, 255), (byte)Math.Clamp(g, 0, 255), (byte)Math.Clamp(b, 0, 255));
    }
}
