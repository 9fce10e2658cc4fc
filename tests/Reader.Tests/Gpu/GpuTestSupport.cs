using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Gpu.Accelerators;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>The Gpu tests share ILGPU's CPU accelerator; running them one class at a time keeps its threads from fighting.</summary>
[CollectionDefinition(Name)]
public sealed class GpuTestGroup
{
    public const string Name = "Gpu (ILGPU CPU accelerator)";
}

/// <summary>Decoders and references for the Gpu tests: everything runs on ILGPU's CPU accelerator (there is no GPU here).</summary>
internal static class GpuTestSupport
{
    public static readonly GpuReaderOptions Cpu = new() { Accelerator = GpuAcceleratorKind.Cpu, Notice = _ => { } };

    public static readonly GpuReaderOptions ParallelFor = Cpu with { Execution = KernelExecution.ParallelFor };

    private static readonly Lazy<GpuDecoder> Kernels = new(() => new GpuDecoder(Cpu));

    private static readonly Lazy<GpuDecoder> Bodies = new(() => new GpuDecoder(ParallelFor));

    /// <summary>The kernels on the CPU accelerator.</summary>
    public static GpuDecoder Decoder => Kernels.Value;

    /// <summary>The same bodies under Parallel.For.</summary>
    public static GpuDecoder ParallelForDecoder => Bodies.Value;

    /// <summary>The CPU reader with libjpeg-turbo through our shim (the reference), skipping loudly without it.</summary>
    public static Slide OpenNative(string path)
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "the native shim (libjpeg-turbo, the reference) is unavailable: " + NativeShim.UnavailableReason);
        return Slide.Open(path, new SlideOptions { Backend = DecoderBackend.Native, CacheCapacity = 0 });
    }

    /// <summary>Every batch of the CPU batch API, concatenated.</summary>
    public static byte[] CpuBatches(Slide slide, IReadOnlyList<PatchLocation> locations, int width, int height, int level, BatchOptions options, List<PatchLocation>? order = null)
    {
        using var all = new MemoryStream();
        foreach (PatchBatch batch in slide.ReadRegions(locations, width, height, level, options))
        {
            using (batch)
            {
                all.Write(batch.Data.Span);
                order?.AddRange(batch.Locations.ToArray());
            }
        }

        return all.ToArray();
    }

    /// <summary>Every batch of the device batch API, copied back and concatenated.</summary>
    public static byte[] DeviceBatches(GpuDecoder decoder, Slide slide, IReadOnlyList<PatchLocation> locations, int width, int height, int level, BatchOptions options, List<PatchLocation>? order = null, List<TileOutcome>? outcomes = null)
    {
        using var all = new MemoryStream();
        foreach (DeviceBatch batch in decoder.ReadRegions(slide, locations, width, height, level, options))
        {
            using (batch)
            {
                all.Write(batch.ToArray());
                order?.AddRange(batch.Locations.ToArray());
                outcomes?.AddRange(batch.TileOutcomes);
            }
        }

        return all.ToArray();
    }

    /// <summary>libjpeg-turbo (our shim) on one raw tile: the visible part, RGB or RGBA, rows packed.</summary>
    public static byte[] ShimTile(byte[]? tables, byte[] tile, JpegColorSpace color, PixelFormat format, int tileWidth, int tileHeight)
    {
        int bpp = format.BytesPerPixel();
        var output = new byte[tileWidth * tileHeight * bpp];
        using var decoder = new NativeJpegDecoder();
        NativeStatus status = decoder.Decode(tables, tile, color, format == PixelFormat.Rgba32 ? JpegOutput.Rgba : JpegOutput.Rgb, output, tileWidth * bpp, tileWidth, tileHeight, out _, out _, out _);
        Assert.True(status == NativeStatus.Ok, "the shim failed: " + decoder.LastMessage);
        return output;
    }

    /// <summary>Runs a randomised test body so that any failure, assertion or not, names the seed that reproduces it.</summary>
    public static void WithSeed(int seed, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e) when (e is not Xunit.Sdk.SkipException && !e.Message.Contains($"seed {seed}", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"random seed {seed} (rerun with it to reproduce): {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Fails with the first differing pixel and the seed.</summary>
    public static void Identical(byte[] expected, byte[] actual, int width, int bpp, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} bytes, {expected.Length} expected");
        PixelAssert.Equal(expected, actual, width, bpp, what);
    }
}
