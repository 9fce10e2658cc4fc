using System.Globalization;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Reader.Gpu.Accelerators;

/// <summary>
/// Picks the accelerator: CUDA, then OpenCL devices ILGPU accepts (OpenCL C 2.0+ with the generic address
/// space), then ILGPU's CPU accelerator sized to the machine; or the one an option or WSI_GPU_ACCELERATOR forces.
/// </summary>
internal static class AcceleratorSelector
{
    /// <summary>What is asked for, and by whom: a non-Auto option wins over the environment variable.</summary>
    public static (GpuAcceleratorKind Kind, string By) ResolveRequest(GpuReaderOptions options, string? environment)
    {
        if (options.Accelerator != GpuAcceleratorKind.Auto)
        {
            return (options.Accelerator, "GpuReaderOptions.Accelerator");
        }

        if (string.IsNullOrWhiteSpace(environment))
        {
            return (GpuAcceleratorKind.Auto, "automatic");
        }

        string by = $"{GpuReaderOptions.AcceleratorVariable}={environment.Trim()}";
        return environment.Trim().ToUpperInvariant() switch
        {
            "CUDA" => (GpuAcceleratorKind.Cuda, by),
            "OPENCL" => (GpuAcceleratorKind.OpenCL, by),
            "CPU" => (GpuAcceleratorKind.Cpu, by),
            "AUTO" => (GpuAcceleratorKind.Auto, by),
            _ => throw new GpuUnavailableException($"{by}: unknown accelerator (cuda, opencl, cpu or auto)"),
        };
    }

    /// <summary>Creates the context and accelerator for <paramref name="requested"/>; throws <see cref="GpuUnavailableException"/> when a forced one is unavailable.</summary>
    public static (Context Context, Accelerator Accelerator, AcceleratorChoice Choice) Create(GpuAcceleratorKind requested, string requestedBy, int cpuCores)
    {
        IlgpuNativeResolver.Register();
        var rejected = new List<string>();
        if (requested is GpuAcceleratorKind.Auto or GpuAcceleratorKind.Cuda)
        {
            if (TryCuda(rejected) is { } cuda)
            {
                return (cuda.Context, cuda.Accelerator, Choice(GpuAcceleratorKind.Cuda, cuda.Device, requested, requestedBy, rejected));
            }

            ThrowIfForced(requested, GpuAcceleratorKind.Cuda, requestedBy, rejected);
        }

        if (requested is GpuAcceleratorKind.Auto or GpuAcceleratorKind.OpenCL)
        {
            if (TryOpenCL(rejected) is { } cl)
            {
                return (cl.Context, cl.Accelerator, Choice(GpuAcceleratorKind.OpenCL, cl.Device, requested, requestedBy, rejected));
            }

            ThrowIfForced(requested, GpuAcceleratorKind.OpenCL, requestedBy, rejected);
        }

        (Context context, Accelerator accelerator, string device) = CreateCpu(cpuCores);
        return (context, accelerator, Choice(GpuAcceleratorKind.Cpu, device, requested, requestedBy, rejected));
    }

    /// <summary>Null when a CUDA or OpenCL device is usable, else why not (for the benchmark's gpu row).</summary>
    public static string? ProbeGpu()
    {
        IlgpuNativeResolver.Register();
        var rejected = new List<string>();
        foreach (Func<List<string>, (Context Context, Accelerator Accelerator, string Device)?> probe in new Func<List<string>, (Context, Accelerator, string)?>[] { TryCuda, TryOpenCL })
        {
            if (probe(rejected) is { } found)
            {
                found.Accelerator.Dispose();
                found.Context.Dispose();
                return null;
            }
        }

        return string.Join("; ", rejected);
    }

    /// <summary>The CPU accelerator's device: warps of 2 lanes, one multiprocessor per core (the default runs 4 threads in all).</summary>
    public static CPUDevice CpuDevice(int cores) => new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: Math.Max(1, cores));

    private static AcceleratorChoice Choice(GpuAcceleratorKind kind, string device, GpuAcceleratorKind requested, string by, List<string> rejected) =>
        new(kind, device, requested, by, rejected.ToArray(), IlgpuNativeResolver.Status);

    private static void ThrowIfForced(GpuAcceleratorKind requested, GpuAcceleratorKind kind, string by, List<string> rejected)
    {
        if (requested == kind)
        {
            throw new GpuUnavailableException($"{kind} accelerator requested ({by}) but unavailable: {string.Join("; ", rejected)}");
        }
    }

    private static (Context Context, Accelerator Accelerator, string Device)? TryCuda(List<string> rejected)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().EnableAlgorithms());
            var devices = context.GetDevices<CudaDevice>();
            if (devices.Count == 0)
            {
                rejected.Add("CUDA: " + CudaAbsentReason());
                context.Dispose();
                return null;
            }

            CudaDevice device = devices[0];
            Accelerator accelerator = device.CreateAccelerator(context);
            string name = string.Create(CultureInfo.InvariantCulture, $"CUDA: {device.Name} (SM {device.Architecture}, PTX ISA {device.InstructionSet}, driver {device.DriverVersion}, {device.MemorySize >> 20} MiB)");
            return (context, accelerator, name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            rejected.Add($"CUDA: {e.GetType().Name}: {e.Message}");
            context?.Dispose();
            return null;
        }
    }

    private static string CudaAbsentReason()
    {
        foreach (string name in new[] { "libcuda.so.1", "libcuda.so", "nvcuda.dll" })
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                NativeLibrary.Free(handle);
                return $"the driver ({name}) loads but reports no device ILGPU 1.5.3 can use";
            }
        }

        return "no CUDA driver (libcuda.so.1 not found)";
    }

    private static (Context Context, Accelerator Accelerator, string Device)? TryOpenCL(List<string> rejected)
    {
        Context? context = null;
        try
        {
            // Register every device so the rejected ones can be named; ILGPU's own predicate is the test below.
            context = Context.Create(b => b.OpenCL(_ => true).EnableAlgorithms());
            var devices = context.GetDevices<CLDevice>();
            if (devices.Count == 0)
            {
                rejected.Add("OpenCL: " + (LoadsAny("libOpenCL.so.1", "libOpenCL.so", "OpenCL.dll") ? "no OpenCL platform reports a device" : "no OpenCL library (libOpenCL.so.1 not found)"));
                context.Dispose();
                return null;
            }

            foreach (CLDevice device in devices)
            {
                string label = $"OpenCL: {device.Name} ({device.PlatformName}, {device.DeviceVersion}, OpenCL C {device.CVersion})";
                if (device.CLStdVersion < CLCVersion.CL20 || !device.Capabilities.GenericAddressSpace)
                {
                    rejected.Add(label + ": ILGPU needs OpenCL C 2.0+ with the generic address space");
                    continue;
                }

                try
                {
                    return (context, device.CreateAccelerator(context), label);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    rejected.Add($"{label}: {e.GetType().Name}: {e.Message}");
                }
            }

            context.Dispose();
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            rejected.Add($"OpenCL: {e.GetType().Name}: {e.Message}");
            context?.Dispose();
            return null;
        }
    }

    private static bool LoadsAny(params string[] names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                NativeLibrary.Free(handle);
                return true;
            }
        }

        return false;
    }

    private static (Context Context, Accelerator Accelerator, string Device) CreateCpu(int cores)
    {
        CPUDevice device = CpuDevice(cores);
        Context context = Context.Create(b => b.CPU(device).EnableAlgorithms());
        CPUAccelerator accelerator = device.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
        string name = string.Create(CultureInfo.InvariantCulture, $"ILGPU CPU accelerator (not a GPU): {device.NumMultiprocessors} multiprocessors x {device.WarpSize} threads on {Environment.ProcessorCount} cores");
        return (context, accelerator, name);
    }
}
