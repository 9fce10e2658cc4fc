using Reader.Core;
using Reader.Gpu;
using Reader.Gpu.Accelerators;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>Accelerator choice: CUDA, OpenCL, CPU accelerator; forced by option or WSI_GPU_ACCELERATOR; reported; kernels loaded once.</summary>
[Collection(GpuTestGroup.Name)]
public class AcceleratorChoiceTests
{
    [Fact]
    public void The_option_wins_over_the_environment_variable_which_wins_over_automatic()
    {
        Assert.Equal((GpuAcceleratorKind.Auto, "automatic"), AcceleratorSelector.ResolveRequest(GpuReaderOptions.Default, null));
        Assert.Equal((GpuAcceleratorKind.Cpu, "WSI_GPU_ACCELERATOR=cpu"), AcceleratorSelector.ResolveRequest(GpuReaderOptions.Default, "cpu"));
        Assert.Equal(GpuAcceleratorKind.Cuda, AcceleratorSelector.ResolveRequest(GpuReaderOptions.Default, " CUDA ").Kind);
        Assert.Equal(GpuAcceleratorKind.OpenCL, AcceleratorSelector.ResolveRequest(GpuReaderOptions.Default, "opencl").Kind);
        Assert.Equal((GpuAcceleratorKind.Cpu, "GpuReaderOptions.Accelerator"), AcceleratorSelector.ResolveRequest(GpuTestSupport.Cpu, "cuda"));
        Assert.Throws<GpuUnavailableException>(() => AcceleratorSelector.ResolveRequest(GpuReaderOptions.Default, "tpu"));
    }

    [Fact]
    public void The_CPU_accelerator_is_sized_to_the_cores_labelled_as_not_a_GPU_and_its_kernels_load_once()
    {
        GpuDecoder decoder = GpuTestSupport.Decoder;
        AcceleratorChoice choice = decoder.Choice;
        Assert.Equal(GpuAcceleratorKind.Cpu, choice.Kind);
        Assert.False(choice.IsGpu);
        Assert.Contains("not a GPU", choice.Device, StringComparison.Ordinal);
        Assert.Contains("not a GPU", choice.Report, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessorCount, decoder.Accelerator.NumMultiprocessors);
        Assert.True(decoder.KernelLoadTime > TimeSpan.Zero);
        using var again = new GpuDecoder(GpuTestSupport.Cpu);
        Assert.Same(decoder.Accelerator, again.Accelerator); // one accelerator and one kernel set per process
        Assert.Equal(decoder.KernelLoadTime, again.KernelLoadTime);
    }

    [Fact]
    public void The_native_resolver_maps_ILGPU_library_names_to_the_versioned_files()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the versioned names are Linux's");
        Assert.Equal("libcuda.so.1", IlgpuNativeResolver.VersionedName("cuda"));
        Assert.Equal("libOpenCL.so.1", IlgpuNativeResolver.VersionedName("OpenCL"));
        Assert.Null(IlgpuNativeResolver.VersionedName("nvvm"));
        IlgpuNativeResolver.Register();
        IlgpuNativeResolver.Register(); // idempotent (a second SetDllImportResolver would throw)
        Assert.False(string.IsNullOrEmpty(IlgpuNativeResolver.Status));
        Assert.Contains(IlgpuNativeResolver.Status, GpuTestSupport.Decoder.Choice.Resolver, StringComparison.Ordinal);
    }

    [Fact]
    public void Forcing_CUDA_without_a_CUDA_device_is_a_typed_error_that_says_why()
    {
        Assert.SkipWhen(GpuDecoder.FindGpu() is null, "a GPU is present: this test covers machines without one");
        var e = Assert.Throws<GpuUnavailableException>(() => new GpuDecoder(GpuTestSupport.Cpu with { Accelerator = GpuAcceleratorKind.Cuda }));
        Assert.Contains("Cuda accelerator requested", e.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernels_on_CUDA_are_byte_identical_to_libjpeg_turbo()
    {
        string? noGpu = GpuDecoder.FindGpu();
        Assert.SkipWhen(noGpu is not null, "NEEDS A CUDA GPU, none here (this test did not run): " + noGpu);
        GpuDecoder? cuda = null;
        try
        {
            cuda = new GpuDecoder(GpuTestSupport.Cpu with { Accelerator = GpuAcceleratorKind.Cuda });
        }
        catch (GpuUnavailableException e)
        {
            Assert.Skip("NEEDS A CUDA GPU (an OpenCL device was found instead; this test did not run): " + e.Message);
        }

        SyntheticSlideSpec spec = GpuJpegTileTests.Kinds["420-256-edges"];
        using Slide slide = GpuTestSupport.OpenNative(TestSlides.Get(spec));
        using DeviceBatch onCuda = cuda!.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 1)]);
        using DeviceBatch onCpu = GpuTestSupport.Decoder.DecodeTiles(slide, 0, [new TileIndex(0, 0), new TileIndex(1, 1)]);
        GpuTestSupport.Identical(onCpu.ToArray(), onCuda.ToArray(), 256, 3, "CUDA vs CPU accelerator");
    }

    [Fact]
    public void Wsi_region_with_the_gpu_backend_honours_WSI_GPU_ACCELERATOR_and_says_which_accelerator_it_used()
    {
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 300, Height = 200, TileWidth = 64, TileHeight = 64, Levels = 2, Quality = 80 });
        string gpuOut = TestSlides.NewPath("gpu.raw"), cpuOut = TestSlides.NewPath("cpu.raw");
        var env = new Dictionary<string, string> { [GpuReaderOptions.AcceleratorVariable] = "cpu" };
        Programs.Result gpu = Programs.Run("wsi.dll", env, "region", slide, "--x", "37", "--y", "21", "--width", "90", "--height", "70", "--out", gpuOut, "--backend", "gpu");
        Assert.True(gpu.ExitCode == 0, gpu.Output + gpu.Error);
        Assert.Contains("ILGPU CPU accelerator (not a GPU)", gpu.Error, StringComparison.Ordinal);
        Assert.Contains("WSI_GPU_ACCELERATOR=cpu", gpu.Error, StringComparison.Ordinal);
        Programs.Result cpu = Programs.Run("wsi.dll", "region", slide, "--x", "37", "--y", "21", "--width", "90", "--height", "70", "--out", cpuOut);
        Assert.True(cpu.ExitCode == 0, cpu.Output + cpu.Error);
        Assert.Equal(File.ReadAllBytes(cpuOut), File.ReadAllBytes(gpuOut));
    }

    [Fact]
    public void Wsi_verify_with_the_gpu_backend_matches_OpenSlide()
    {
        Assert.SkipUnless(Reader.Reference.OpenSlide.OpenSlideImage.IsAvailable, "OpenSlide is unavailable: " + Reader.Reference.OpenSlide.OpenSlideImage.UnavailableReason);
        string slide = TestSlides.Get(new SyntheticSlideSpec { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Quality = 85 });
        var env = new Dictionary<string, string> { [GpuReaderOptions.AcceleratorVariable] = "cpu" };
        Programs.Result r = Programs.Run("wsi.dll", env, "verify", slide, "--regions", "3", "--backend", "gpu");
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Contains("(gpu: ILGPU CPU accelerator (not a GPU)", r.Output, StringComparison.Ordinal);
        Assert.Contains("identical:", r.Output, StringComparison.Ordinal);
    }
}
