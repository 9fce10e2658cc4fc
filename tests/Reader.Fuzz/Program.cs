using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu;
using Reader.Gpu.Accelerators;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.SlideWriter;
using SharpFuzz;

namespace Reader.Fuzz;

/// <summary>
/// Fuzz targets for afl-fuzz (through SharpFuzz), and helpers to make seeds and replay findings:
///   Reader.Fuzz slide             the whole reader: open, properties, associated images, small reads, a batch
///   Reader.Fuzz jpeg              the JPEG header parser and decode bodies (the GPU kernels' code, on the CPU)
///   Reader.Fuzz gpu               the GPU decoder's host parsing, packing and per-item bodies under Parallel.For
///                                 (ILGPU's CPU accelerator memory; compiling kernels from instrumented code is impossible)
///   Reader.Fuzz seeds DIR         writes a small seed corpus
///   Reader.Fuzz replay FILE...    runs inputs once, in process; exit 1 on an unexpected exception
/// Only SlideExceptions (and the JPEG decoder's status codes) are expected; anything else is a finding.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "slide";
        switch (mode)
        {
            case "slide":
                Fuzzer.OutOfProcess.Run(stream => Slide(ReadAll(stream)));
                return 0;
            case "jpeg":
                Fuzzer.OutOfProcess.Run(stream => Jpeg(ReadAll(stream)));
                return 0;
            case "gpu":
                Fuzzer.OutOfProcess.Run(stream => Gpu(ReadAll(stream)));
                return 0;
            case "seeds":
                Seeds.Write(args[1]);
                return 0;
            case "replay":
                return Replay(args[1..]);
            default:
                Console.Error.WriteLine("usage: Reader.Fuzz slide|jpeg|gpu|seeds DIR|replay FILE...");
                return 2;
        }
    }

    /// <summary>Open, look at everything, read a little of every level.</summary>
    public static void Slide(byte[] input)
    {
        // A folder of its own: a DICOM input reads the files beside it as its series, and there should be none.
        string folder = Path.Combine(Path.GetTempPath(), $"wsi-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "input");
        File.WriteAllBytes(path, input);
        var options = new SlideOptions { Backend = DecoderBackend.Managed, CacheCapacity = 1 << 20, Notice = _ => { } };
        try
        {
            using var slide = Reader.Core.Slide.Open(path, options);
            _ = slide.Properties.Count;
            foreach (string name in slide.AssociatedImageNames)
            {
                slide.ReadAssociatedImage(name);
            }

            foreach (SlideLevel level in slide.Levels)
            {
                slide.ReadRegion(0, 0, level.Index, 64, 64, PixelFormat.Rgba32);
                slide.ReadRegion((long)(level.Width * level.Downsample) - 20, 3, level.Index, 40, 30, PixelFormat.Rgb24);
            }

            foreach (PatchBatch batch in slide.ReadRegions([new PatchLocation(1, 1), new PatchLocation(70, 5)], 32, 32, 0, new BatchOptions { Workers = 2, BatchSize = 1 }))
            {
                batch.Dispose();
            }
        }
        catch (SlideException e) when (e is not PatchReadException || e.InnerException is SlideException)
        {
            // Expected: a typed error for a bad file (the batch API wraps it with the patch).
        }
    }

    private static readonly Lazy<GpuDecoder> GpuBodies = new(() => new GpuDecoder(new GpuReaderOptions
    {
        Accelerator = GpuAcceleratorKind.Cpu,
        CpuAcceleratorCores = 1,
        Execution = KernelExecution.ParallelFor,
        Notice = _ => { },
    }));

    /// <summary>A slide through the GPU decoder: whole tiles of every level, and a small device batch.</summary>
    public static void Gpu(byte[] input)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"wsi-fuzz-gpu-{Environment.ProcessId}");
        Directory.CreateDirectory(folder); // alone in its folder, like the slide target's input
        string path = Path.Combine(folder, "input.tif");
        File.WriteAllBytes(path, input);
        var options = new SlideOptions { Backend = DecoderBackend.Managed, CacheCapacity = 0, Notice = _ => { } };
        try
        {
            using var slide = Reader.Core.Slide.Open(path, options);
            foreach (SlideLevel level in slide.Levels)
            {
                if ((long)level.TileWidth * level.TileHeight > 1 << 16)
                {
                    continue; // seeds have 16 x 16 tiles; a mutated giant tile size costs time, not coverage
                }

                long across = Math.Min(4, (level.Width + level.TileWidth - 1) / Math.Max(1, level.TileWidth));
                var tiles = new List<TileIndex>();
                for (long column = 0; column < across; column++)
                {
                    tiles.Add(new TileIndex(column, 0));
                }

                if (tiles.Count > 0)
                {
                    GpuBodies.Value.DecodeTiles(slide, level.Index, tiles).Dispose();
                }
            }

            foreach (DeviceBatch batch in GpuBodies.Value.ReadRegions(slide, [new PatchLocation(1, 1), new PatchLocation(20, 5)], 24, 24, 0, new BatchOptions { Workers = 1, BatchSize = 2 }))
            {
                batch.Dispose();
            }
        }
        catch (SlideException e) when (e is not PatchReadException || e.InnerException is SlideException)
        {
            // Expected: a typed error for a bad file (the batch API wraps it with the patch).
        }
    }

    /// <summary>Input = [1 byte colour space][2 bytes tables length][tables][tile].</summary>
    public static void Jpeg(byte[] input)
    {
        if (input.Length < 3)
        {
            return;
        }

        var color = (JpegColorSpace)((input[0] % 4) + 1);
        int tablesLength = Math.Min((input[1] << 8) | input[2], input.Length - 3);
        ReadOnlySpan<byte> tables = input.AsSpan(3, tablesLength);
        ReadOnlySpan<byte> tile = input.AsSpan(3 + tablesLength);
        var output = new byte[256 * 256 * 4];
        var decoder = new ManagedJpegDecoder();
        decoder.Decode(tables, tile, color, color == JpegColorSpace.Raw ? JpegOutput.Components : JpegOutput.Rgba, output, 256 * 4, 256, 256, out _, out _, out _);
    }

    private static int Replay(string[] files)
    {
        int failures = 0;
        foreach (string file in files)
        {
            byte[] input = File.ReadAllBytes(file);
            try
            {
                Slide(input);
                Jpeg(input);
                Gpu(input);
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{file}: {e}");
            }
        }

        Console.WriteLine($"{files.Length} inputs replayed, {failures} unexpected exceptions");
        return failures == 0 ? 0 : 1;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}

/// <summary>A small seed corpus: tiny slides of every codec and DICOM instances of every frame layout (AFL prefers small inputs), and their JPEG tiles.</summary>
internal static class Seeds
{
    /// <summary>Writes slide seeds into FOLDER/slide and JPEG-target seeds into FOLDER/jpeg.</summary>
    public static void Write(string root)
    {
        string folder = Path.Combine(root, "slide");
        string jpegFolder = Path.Combine(root, "jpeg");
        string gpuFolder = Path.Combine(root, "gpu");
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(jpegFolder);
        Directory.CreateDirectory(gpuFolder);
        var kinds = new (string Name, SyntheticSlideSpec Spec)[]
        {
            ("jpeg", new() { Width = 40, Height = 24, TileWidth = 16, TileHeight = 16, Levels = 2, Quality = 30, ManagedJpegEncoder = true }),
            ("jpeg-rgb", new() { Width = 32, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 1, Quality = 20, Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio, ManagedJpegEncoder = true }),
            ("jpeg-split", new() { Width = 32, Height = 32, TileWidth = 16, TileHeight = 16, Levels = 1, Quality = 20, Tables = JpegTablesPlacement.Split, ManagedJpegEncoder = true }),
            ("deflate", new() { Width = 32, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 2, Compression = SlideCompression.Deflate, Predictor = true }),
            ("lzw", new() { Width = 32, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 1, Compression = SlideCompression.Lzw, Planar = true }),
            ("zstd", new() { Width = 32, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 1, Compression = SlideCompression.Zstd, BigTiff = true }),
            ("none-be", new() { Width = 20, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 1, Compression = SlideCompression.None, BigEndian = true, Color = SlideColor.Gray }),
            ("subifd", new() { Width = 40, Height = 40, TileWidth = 16, TileHeight = 16, Levels = 2, Vendor = SlideVendor.SubIfd, Compression = SlideCompression.PackBits }),
        };
        if (NativeShim.IsAvailable && NativeShim.HasOpenJpeg && NativeShim.HasLibwebp)
        {
            // The native-only codecs: mutated codestreams reach OpenJPEG and libwebp through the shim's bounds checks.
            kinds =
            [
                .. kinds,
                ("j2k-ycbcr", new() { Width = 32, Height = 24, TileWidth = 16, TileHeight = 16, Levels = 1, Compression = SlideCompression.Jpeg2000YCbCr, Vendor = SlideVendor.Aperio, Jpeg2000Rate = 10 }),
                ("webp", new() { Width = 32, Height = 16, TileWidth = 16, TileHeight = 16, Levels = 1, Compression = SlideCompression.WebP, Quality = 30 }),
            ];
        }
        // DICOM: a level instance of each frame layout and coding (seeds are single files: the series is the file alone).
        var dicomKinds = new List<(string Name, DicomSeriesSpec Spec)>
        {
            ("dicom-jpeg-bot", new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Basic }),
            ("dicom-jpeg-fragments", new() { Coding = DicomFrameCoding.JpegRgb, OffsetTable = DicomOffsetTable.None, FragmentsPerFrame = 2, Levels = 3 }),
            ("dicom-sparse-eot", new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Extended, Sparse = true, MissingEvery = 2 }),
            ("dicom-raw-sparse", new() { Coding = DicomFrameCoding.Uncompressed, Sparse = true, MissingEvery = 3 }),
        };
        if (NativeShim.IsAvailable && NativeShim.HasOpenJpeg)
        {
            dicomKinds.Add(("dicom-j2k", new() { Coding = DicomFrameCoding.Jpeg2000, OffsetTable = DicomOffsetTable.Basic }));
        }

        foreach ((string name, DicomSeriesSpec spec) in dicomKinds)
        {
            string series = Path.Combine(root, "dicom-series-" + name);
            var tiny = spec with { Width = 40, Height = 24, TileWidth = 16, TileHeight = 16, Levels = spec.Levels == 3 ? 1 : 2, Associated = false, Quality = 30, IccProfile = false };
            IReadOnlyList<string> files = DicomSeriesWriter.Write(series, tiny);
            File.Copy(files[0], Path.Combine(folder, name + ".dcm"), overwrite: true);
            Directory.Delete(series, recursive: true);
        }

        foreach ((string name, SyntheticSlideSpec spec) in kinds)
        {
            string path = Path.Combine(folder, name + ".tif");
            SyntheticSlideWriter.Write(path, spec with { Threads = 1 });
            if (spec.Compression is SlideCompression.Jpeg || name == "deflate")
            {
                File.Copy(path, Path.Combine(gpuFolder, name + ".tif"), overwrite: true); // the device path is JPEG's; deflate is its host fallback
            }

            if (spec.Compression == SlideCompression.Jpeg)
            {
                File.WriteAllBytes(Path.Combine(jpegFolder, name + ".bin"), JpegSeed(path, spec.Color == SlideColor.RgbCodedJpeg ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr));
            }
        }

        if (NativeShim.IsAvailable)
        {
            // NDPI: the 64-bit directory layout, restart intervals as tiles, the 1/2-1/8 levels and McuStarts.
            NdpiSlideWriter.Write(Path.Combine(folder, "ndpi.ndpi"), new NdpiSlideSpec { Width = 32, Height = 16, Levels = 1, Quality = 30 });
        }
    }

    /// <summary>The first tile with its JPEGTables, in the jpeg target's input layout.</summary>
    private static byte[] JpegSeed(string path, JpegColorSpace color)
    {
        using Reader.Core.Sources.SlideSource file = Reader.Core.Sources.SlideSource.OpenFile(path);
        Reader.Core.Open.TiffImage image = Reader.Core.Formats.SlideFormats.Detect(Reader.Core.Open.TiffContainer.Read(file, SlideLimits.Default)).Levels[0];
        byte[] tables = image.Directory.GetBytes(Reader.Core.Open.TiffTag.JpegTables) ?? [];
        image.TryGetChunk(0, "seed", out long offset, out int length);
        var tile = new byte[length];
        file.ReadExactly(offset, tile, "seed");
        return [(byte)((int)color - 1), (byte)(tables.Length >> 8), (byte)tables.Length, .. tables, .. tile];
    }
}
