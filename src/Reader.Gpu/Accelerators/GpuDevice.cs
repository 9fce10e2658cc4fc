using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using Reader.Core.Decode.Jpeg;
using Reader.Gpu.Host;
using Reader.Gpu.Kernels;

namespace Reader.Gpu.Accelerators;

/// <summary>
/// One accelerator for the whole process: its ILGPU context, the kernels (loaded once, on first use),
/// three workspaces (batches in flight, each on its own stream), and the pool of batch output buffers. Shared by every
/// <see cref="GpuDecoder"/> asking for the same accelerator; never disposed before the process ends.
/// </summary>
internal sealed class GpuDevice
{
    /// <summary>Batches in flight: one packing on the host while the others' uploads and kernels queue on their own streams.</summary>
    public const int Workspaces = 3;

    private static readonly ConcurrentDictionary<(GpuAcceleratorKind Kind, int Cores), Lazy<GpuDevice>> Devices = new();

    private readonly Lazy<KernelSet> kernels;
    private readonly object workspaceGate = new();
    private readonly Stack<DeviceWorkspace> workspaces = new();
    private int workspacesOut;
    private readonly Lazy<MemoryBuffer1D<int, Stride1D.Dense>> natural;

    private GpuDevice(Context context, Accelerator accelerator, AcceleratorChoice choice)
    {
        Context = context;
        Accelerator = accelerator;
        Choice = choice;
        kernels = new Lazy<KernelSet>(LoadKernels, LazyThreadSafetyMode.ExecutionAndPublication);
        natural = new Lazy<MemoryBuffer1D<int, Stride1D.Dense>>(UploadNaturalOrder, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    public AcceleratorChoice Choice { get; }

    /// <summary>Held around every use of the accelerator from host code (binding, allocation, enqueueing).</summary>
    public Lock Gate { get; } = new();

    public DeviceBufferPool Outputs { get; } = new();

    /// <summary>The kernels, compiled and loaded on first use.</summary>
    public KernelSet Kernels => kernels.Value;

    /// <summary>The time the kernels took to load (loading them now if they were not yet).</summary>
    public TimeSpan KernelLoadTime => kernels.Value.LoadTime;

    /// <summary>The zig-zag to natural order table, on the device (uploaded on first use, independent of the kernels: Parallel.For needs it too).</summary>
    public ArrayView<int> Natural => natural.Value.View;

    /// <summary>The device for these options, created (and announced through the notice) on first request.</summary>
    public static GpuDevice For(GpuReaderOptions options)
    {
        (GpuAcceleratorKind kind, string by) = AcceleratorSelector.ResolveRequest(options, Environment.GetEnvironmentVariable(GpuReaderOptions.AcceleratorVariable));
        int cores = Math.Max(1, options.CpuAcceleratorCores);
        Lazy<GpuDevice> lazy = Devices.GetOrAdd((kind, cores), key => new Lazy<GpuDevice>(
            () =>
            {
                (Context context, Accelerator accelerator, AcceleratorChoice choice) = AcceleratorSelector.Create(key.Kind, by, key.Cores);
                (options.Notice ?? (m => Console.Error.WriteLine(m)))("wsi reader: " + choice.Report);
                return new GpuDevice(context, accelerator, choice);
            },
            LazyThreadSafetyMode.ExecutionAndPublication));
        return lazy.Value;
    }

    /// <summary>Binds the accelerator to this thread; call inside <see cref="Gate"/>.</summary>
    public void Bind() => Accelerator.Bind();

    /// <summary>A workspace for one batch; waits while both are in use.</summary>
    public DeviceWorkspace AcquireWorkspace()
    {
        lock (workspaceGate)
        {
            while (workspacesOut >= Workspaces)
            {
                Monitor.Wait(workspaceGate);
            }

            workspacesOut++;
            if (workspaces.TryPop(out DeviceWorkspace? workspace))
            {
                return workspace;
            }
        }

        try
        {
            lock (Gate)
            {
                Bind();
                return new DeviceWorkspace(Accelerator);
            }
        }
        catch
        {
            lock (workspaceGate)
            {
                workspacesOut--; // its place was taken above: give it back, or later batches wait forever
                Monitor.Pulse(workspaceGate);
            }

            throw;
        }
    }

    public void ReleaseWorkspace(DeviceWorkspace workspace)
    {
        lock (workspaceGate)
        {
            workspaces.Push(workspace);
            workspacesOut--;
            Monitor.Pulse(workspaceGate);
        }
    }

    private KernelSet LoadKernels()
    {
        lock (Gate)
        {
            Bind();
            return KernelSet.Load(Accelerator);
        }
    }

    private MemoryBuffer1D<int, Stride1D.Dense> UploadNaturalOrder()
    {
        lock (Gate)
        {
            Bind();
            return Accelerator.Allocate1D(JpegHeader.NaturalOrder);
        }
    }
}
