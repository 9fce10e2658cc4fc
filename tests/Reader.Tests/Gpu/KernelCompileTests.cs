using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Reader.Gpu.Kernels;

namespace Reader.Tests.Gpu;

/// <summary>
/// The kernels compiled by ILGPU's own CUDA and OpenCL code generators, without a GPU: proof that the shared
/// Reader.Core JPEG bodies are ILGPU-compilable (the CPU accelerator runs kernels as .NET code and proves nothing
/// about that). The PTX targets sm_80, what ILGPU 1.5.3 emits for every device from sm_80 up (H100 included).
/// Whether the driver then accepts the PTX needs a GPU (see the gpu-study command).
/// </summary>
[Collection(GpuTestGroup.Name)]
public class KernelCompileTests
{
    public static TheoryData<string> Kernels => ["Sync", "Write", "DcFix", "Idct", "Color", "Inflate", "Predict", "Convert", "Assemble"];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Every_kernel_compiles_to_PTX_for_sm_80(string kernel)
    {
        using Context context = Context.Create(b => b.Optimize(OptimizationLevel.O1));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null!);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(Method(kernel)), KernelSpecialization.Empty);
        string ptx = compiled.PTXAssembly;
        Assert.Contains(".target sm_80", ptx, StringComparison.Ordinal);
        Assert.Contains(".visible .entry", ptx, StringComparison.Ordinal);
        Assert.DoesNotContain(".shared", ptx, StringComparison.Ordinal); // no shared memory, no barriers: the CPU path runs the same bodies
        Assert.DoesNotContain("bar.sync", ptx, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Every_kernel_compiles_to_OpenCL_C_2_0(string kernel)
    {
        using Context context = Context.Create(b => b.Optimize(OptimizationLevel.O1));
        var capabilities = new CLCapabilityContext(float16: false, float64: false, int64_Atomics: false, subGroups: false, genericAddressSpace: true);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(Method(kernel)), KernelSpecialization.Empty);
        Assert.Contains("kernel void", compiled.Source, StringComparison.Ordinal);
    }

    private static MethodInfo Method(string kernel) =>
        (kernel switch { "Assemble" => typeof(AssemblyKernel), "Sync" or "Write" or "DcFix" => typeof(HuffmanKernels), "Inflate" or "Predict" or "Convert" => typeof(DeflateKernels), _ => typeof(JpegKernels) }).GetMethod(kernel, BindingFlags.Public | BindingFlags.Static)
        ?? throw new InvalidOperationException(kernel);
}
