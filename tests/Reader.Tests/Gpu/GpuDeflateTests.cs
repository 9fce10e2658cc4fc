using System.IO.Compression;
using System.Text.Json;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Decode;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu;
using Reader.Native;
using Reader.Native.Deflate;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>
/// Deflate on the device: the inflate body (stored, fixed and dynamic blocks, LZ77 copies, Adler-32) against
/// libdeflate and zlib (.NET's ZLibStream) on streams of every block type and on mangled streams (whatever it
/// accepts, they decode to the same bytes); deflate slides through the kernels (inflate, predictor, conversion,
/// assembly) equal to the CPU batches with no tile decoded on the host; corrupt streams fall back per tile.
/// </summary>
[Collection(GpuTestGroup.Name)]
public class GpuDeflateTests
{
    [Fact]
    public void Stored_fixed_and_dynamic_blocks_inflate_to_the_bytes_zlib_and_libdeflate_give()
    {
        var rng = new Random(5);
        var blockTypes = new HashSet<int>();
        foreach (int size in new[] { 1, 40, 300, 5000, 70_000 })
        {
            foreach (CompressionLevel level in new[] { CompressionLevel.NoCompression, CompressionLevel.Fastest, CompressionLevel.Optimal, CompressionLevel.SmallestSize })
            {
                byte[] original = Sample(rng, size);
                byte[] stream = Zlib(original, level);
                blockTypes.Add((stream[2] >> 1) & 3);
                (int status, byte[] inflated) = Inflate(stream, original.Length);
                Assert.True(status == InflateStatus.Ok, $"{size} bytes at {level}: {InflateStatus.Describe(status)}");
                Assert.Equal(original, inflated);
                if (NativeInflater.IsSupported)
                {
                    using var libdeflate = new NativeInflater();
                    var output = new byte[Math.Max(1, original.Length)];
                    Assert.Equal(NativeStatus.Ok, libdeflate.DecompressZlib(stream, output, out int written));
                    Assert.Equal(original, output.AsSpan(0, written).ToArray());
                }
            }
        }

        Assert.Equal([0, 1, 2], blockTypes.Order());
    }

    [Fact]
    public void A_mangled_stream_the_inflater_accepts_decodes_as_libdeflate_and_zlib_decode_it()
    {
        Assert.SkipUnless(NativeInflater.IsSupported, "libdeflate (the reference) is not in the native shim: " + NativeShim.UnavailableReason);
        int seed = Random.Shared.Next();
        GpuTestSupport.WithSeed(seed, () =>
        {
            var rng = new Random(seed);
            using var libdeflate = new NativeInflater();
            int accepted = 0, refused = 0;
            for (int round = 0; round < 400; round++)
            {
                byte[] original = Sample(rng, rng.Next(1, 3000));
                byte[] stream = Zlib(original, (CompressionLevel)rng.Next(4));
                int edits = rng.Next(1, 4);
                for (int e = 0; e < edits; e++)
                {
                    int at = rng.Next(2, stream.Length);
                    stream[at] ^= (byte)(1 << rng.Next(8));
                }

                // Most flips would only fail the Adler-32 check: give the mangled stream the checksum of what zlib makes of it.
                RechecksumIfDecodable(stream, original.Length + 64);
                if (rng.Next(5) == 0)
                {
                    stream = stream[..rng.Next(2, stream.Length)];
                }

                int capacity = original.Length + rng.Next(0, 8);
                (int status, byte[] inflated) = Inflate(stream, capacity);
                if (status != InflateStatus.Ok)
                {
                    refused++;
                    continue;
                }

                accepted++;
                var output = new byte[capacity];
                Assert.True(libdeflate.DecompressZlib(stream, output, out int written) == NativeStatus.Ok, $"seed {seed} round {round}: accepted here, refused by libdeflate");
                Assert.Equal(output.AsSpan(0, written).ToArray(), inflated);
                Assert.Equal(ZlibManaged(stream, capacity), inflated);
            }

            Assert.True(refused > 0, "no mangled stream was refused: the test mangles nothing");
            Assert.True(accepted > 0, "no mangled stream was accepted: the test compares nothing");
        });
    }

    public static TheoryData<string> Slides => ["deflate-rgb-predictor", "deflate-rgba", "deflate-gray", "deflate-bigtiff-be"];

    [Theory]
    [MemberData(nameof(Slides))]
    public void Deflate_slides_decode_on_the_device_to_the_CPU_batches_bytes(string kind)
    {
        SyntheticSlideSpec spec = Spec(kind);
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        PixelFormat format = kind == "deflate-rgba" ? PixelFormat.Rgba32 : PixelFormat.Rgb24;
        var locations = new List<PatchLocation> { new(0, 0), new(61, 37), new(spec.Width - 20, spec.Height - 10), new(-10, 5), new(100, 70) };
        var options = new BatchOptions { BatchSize = 5, Format = format };
        var outcomes = new List<TileOutcome>();
        var batches = new List<BatchTimings>();
        byte[] gpu;
        using (var all = new MemoryStream())
        {
            foreach (DeviceBatch batch in GpuTestSupport.Decoder.ReadRegions(slide, locations, 80, 60, 0, options, TestContext.Current.CancellationToken))
            {
                using (batch)
                {
                    all.Write(batch.ToArray());
                    outcomes.AddRange(batch.TileOutcomes);
                    batches.Add(batch.Timings);
                }
            }

            gpu = all.ToArray();
        }

        GpuTestSupport.Identical(GpuTestSupport.CpuBatches(slide, locations, 80, 60, 0, options), gpu, 80, format.BytesPerPixel(), kind);
        Assert.All(outcomes, o => Assert.True(o.Path == TileDecodePath.Device, $"{kind}: tile {o.Tile} went {o.Path}: {o.Reason}"));
        BatchTimings t = Assert.Single(batches);
        Assert.Equal(0, t.CpuTiles);
        KernelShape inflate = Assert.Single(t.Kernels, k => k.Name == "inflate");
        Assert.Equal(t.DeviceTiles, inflate.Threads);
        Assert.True(inflate.MaxSerialBytes > 0);
        Assert.Contains(t.Kernels, k => k.Name == "predictor");
        Assert.Contains(t.Kernels, k => k.Name == "convert");

        byte[] bodies = GpuTestSupport.DeviceBatches(GpuTestSupport.ParallelForDecoder, slide, locations, 80, 60, 0, options);
        GpuTestSupport.Identical(gpu, bodies, 80, format.BytesPerPixel(), kind + ": Parallel.For vs kernels");
    }

    [Fact]
    public void A_deflate_tile_whose_device_inflate_fails_is_decoded_on_the_CPU_into_its_slot()
    {
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(Spec("deflate-rgb-predictor")));
        using var decoder = new GpuDecoder(GpuTestSupport.Cpu with { WithholdFromDevice = (c, r) => c == 1 && r == 0 });
        using DeviceBatch batch = decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 0)]);
        Assert.Equal(TileDecodePath.Device, batch.TileOutcomes[0].Path);
        Assert.Equal(TileDecodePath.CpuFallback, batch.TileOutcomes[1].Path);
        Assert.Equal(InflateStatus.Truncated, batch.TileOutcomes[1].DeviceStatus);
        Assert.Contains("deflate data truncated", batch.TileOutcomes[1].Reason!, StringComparison.Ordinal);
        byte[] expected = slide.ReadRegion(0, 0, 0, 128, 64);
        byte[] actual = batch.ToArray();
        for (int t = 0; t < 2; t++)
        {
            byte[] tile = new byte[64 * 64 * 3];
            slide.ReadRegion(t * 64, 0, 0, 64, 64, tile, PixelFormat.Rgb24);
            Assert.True(tile.AsSpan().SequenceEqual(actual.AsSpan(t * tile.Length, tile.Length)), $"tile {t} differs from the CPU read");
        }

        Assert.NotNull(expected);
    }

    [Fact]
    public void Corrupt_deflate_and_a_bad_checksum_fail_on_the_device_then_on_the_CPU_with_a_typed_exception()
    {
        string source = TestSlides.Get(Spec("deflate-rgb-predictor"));
        string corrupt = SlideSurgery.WithCorruptTile(source, 0, 1, 1);
        string checksum = GpuSurgery.WithTile(source, 0, 1, 1, t => [.. t[..^1], (byte)(t[^1] ^ 1)]);
        foreach (string path in new[] { corrupt, checksum })
        {
            using Slide slide = GpuTestSupport.OpenNative(path);
            var e = Assert.Throws<CorruptSlideException>(() => GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 1)]));
            Assert.Equal("level 0 (IFD 0) tile (1, 1)", e.Where);
        }
    }

    [Fact]
    public void Region_stats_on_a_deflate_slide_show_no_tile_decoded_on_the_host()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "native shim unavailable");
        string slide = TestSlides.Get(Spec("deflate-rgb-predictor"));
        var env = new Dictionary<string, string> { ["WSI_GPU_ACCELERATOR"] = "cpu" };
        Programs.Result r = Programs.Run("wsi.dll", env, "region", slide, "--x", "30", "--y", "20", "--width", "100", "--height", "90", "--out", TestSlides.NewPath("deflate.png"), "--backend", "gpu", "--stats");
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        using JsonDocument json = JsonDocument.Parse(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
        JsonElement tiles = json.RootElement.GetProperty("tiles").EnumerateObject().Single().Value;
        Assert.Equal(6, tiles.GetProperty("device").GetInt32()); // 64-pixel tiles (0..2, 0..1)
        Assert.Equal(0, tiles.GetProperty("host").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("kernels").EnumerateArray(), k => k.GetProperty("name").GetString() == "inflate");
    }

    private static SyntheticSlideSpec Spec(string kind) => kind switch
    {
        "deflate-rgb-predictor" => new() { Width = 300, Height = 200, TileWidth = 64, TileHeight = 64, Levels = 1, Compression = SlideCompression.Deflate, Predictor = true, Seed = 3 },
        "deflate-rgba" => new() { Width = 250, Height = 150, TileWidth = 64, TileHeight = 64, Levels = 1, Compression = SlideCompression.Deflate, Color = SlideColor.Rgba, Seed = 4 },
        "deflate-gray" => new() { Width = 200, Height = 130, TileWidth = 64, TileHeight = 64, Levels = 1, Compression = SlideCompression.Deflate, Color = SlideColor.Gray, Predictor = true, Seed = 5 },
        _ => new() { Width = 260, Height = 150, TileWidth = 128, TileHeight = 64, Levels = 1, Compression = SlideCompression.Deflate, BigTiff = true, BigEndian = true, Seed = 6 },
    };

    /// <summary>Bytes with runs, repeats and noise, so every compression level has matches and literals to code.</summary>
    private static byte[] Sample(Random rng, int size)
    {
        var data = new byte[size];
        int i = 0;
        while (i < size)
        {
            int kind = rng.Next(3);
            int run = Math.Min(size - i, rng.Next(1, 200));
            for (int k = 0; k < run; k++, i++)
            {
                data[i] = kind switch
                {
                    0 => (byte)rng.Next(256),
                    1 => (byte)(i / 7),
                    _ => i >= 64 ? data[i - 64] : (byte)k,
                };
            }
        }

        return data;
    }

    private static byte[] Zlib(byte[] data, CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, level, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Rewrites the trailer with the Adler-32 of what raw inflate makes of the body, when it makes anything.</summary>
    private static void RechecksumIfDecodable(byte[] stream, int limit)
    {
        if (stream.Length < 7)
        {
            return;
        }

        byte[] decoded;
        try
        {
            using var raw = new DeflateStream(new MemoryStream(stream, 2, stream.Length - 6), CompressionMode.Decompress);
            var buffer = new byte[limit];
            int total = 0, n;
            while (total < limit && (n = raw.Read(buffer, total, limit - total)) > 0)
            {
                total += n;
            }

            decoded = buffer[..total];
        }
        catch (InvalidDataException)
        {
            return;
        }

        uint a = 1, b = 0;
        foreach (byte v in decoded)
        {
            a = (a + v) % 65521;
            b = (b + a) % 65521;
        }

        uint adler = (b << 16) | a;
        stream[^4] = (byte)(adler >> 24);
        stream[^3] = (byte)(adler >> 16);
        stream[^2] = (byte)(adler >> 8);
        stream[^1] = (byte)adler;
    }

    private static byte[] ZlibManaged(byte[] stream, int capacity)
    {
        using var zlib = new ZLibStream(new MemoryStream(stream), CompressionMode.Decompress);
        var output = new byte[capacity];
        int total = 0, n;
        while (total < capacity && (n = zlib.Read(output, total, capacity - total)) > 0)
        {
            total += n;
        }

        return output[..total];
    }

    private static (int Status, byte[] Output) Inflate(byte[] stream, int capacity)
    {
        var output = new byte[capacity];
        var scratch = new int[Inflater.ScratchInts];
        int status = Inflater.Inflate(new ByteArrayView(stream), 0, stream.Length, new ByteArrayView(output), 0, capacity, new IntArrayView(scratch), 0, out int written);
        return (status, output[..written]);
    }
}
