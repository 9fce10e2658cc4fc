using System.CommandLine;
using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Gpu.Accelerators;

namespace Reader.Cli.Commands;

/// <summary>The --backend option shared by region and verify.</summary>
internal static class Backends
{
    public static Option<string> Option() => new("--backend")
    {
        Description = "decoders: cpu (libjpeg-turbo), cpu-managed, or gpu (ILGPU kernels: CUDA, else OpenCL, else ILGPU's CPU accelerator; WSI_GPU_ACCELERATOR=cuda|opencl|cpu forces one)",
        DefaultValueFactory = _ => "cpu",
    };

    public static SlideOptions Options(string backend) => backend switch
    {
        "cpu" or "gpu" => new SlideOptions { Backend = DecoderBackend.Auto },
        "cpu-managed" => new SlideOptions { Backend = DecoderBackend.Managed },
        _ => throw new UsageException($"unknown backend '{backend}' (cpu, cpu-managed, gpu)"),
    };
}

/// <summary>
/// A slide opened for one --backend: regions come from <see cref="Slide.ReadRegion(long, long, int, int, int, PixelFormat)"/>
/// on the CPU, or from the device batch API for gpu (the accelerator used is printed to standard error).
/// </summary>
internal sealed class BackendSlide : IDisposable
{
    private readonly GpuDecoder? gpu;

    private BackendSlide(Slide slide, GpuDecoder? gpu)
    {
        Slide = slide;
        this.gpu = gpu;
    }

    public Slide Slide { get; }

    /// <summary>"Native", "Managed", or the accelerator in words.</summary>
    public string Label => gpu is null ? Slide.Backend.ToString() : "gpu: " + gpu.Choice.Device;

    public static BackendSlide Open(string path, string backend)
    {
        Slide slide = Slide.Open(path, Backends.Options(backend));
        if (backend != "gpu")
        {
            return new BackendSlide(slide, null);
        }

        try
        {
            var decoder = new GpuDecoder(new GpuReaderOptions { Notice = _ => { } });
            Console.Error.WriteLine($"wsi: --backend gpu: {decoder.Choice.Report}; kernels loaded in {decoder.KernelLoadTime.TotalMilliseconds:F0} ms");
            return new BackendSlide(slide, decoder);
        }
        catch (GpuUnavailableException e)
        {
            slide.Dispose();
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The device batch of the last gpu read: where its tiles were decoded and where its time went.</summary>
    public DeviceReadStats? LastDeviceRead { get; private set; }

    /// <summary>How long the process took to load the kernels (gpu only).</summary>
    public TimeSpan KernelLoadTime => gpu?.KernelLoadTime ?? TimeSpan.Zero;

    /// <summary>The accelerator choice (gpu only).</summary>
    public AcceleratorChoice? Choice => gpu?.Choice;

    /// <summary>A region as straight RGBA.</summary>
    public byte[] ReadRgba(long x, long y, int level, int width, int height)
    {
        if (gpu is null)
        {
            return Slide.ReadRegion(x, y, level, width, height, PixelFormat.Rgba32);
        }

        using DeviceBatch region = gpu.ReadRegion(Slide, x, y, level, width, height, PixelFormat.Rgba32);
        LastDeviceRead = new DeviceReadStats(region.Timings, region.TileOutcomes, Slide.Levels[level].Compression, 1);
        return region.ToArray();
    }

    public void Dispose()
    {
        gpu?.Dispose();
        Slide.Dispose();
    }
}

/// <summary>What one device batch of <c>wsi region --backend gpu</c> did.</summary>
internal sealed record DeviceReadStats(BatchTimings Timings, IReadOnlyList<TileOutcome> Tiles, string Codec, int BatchSize);
